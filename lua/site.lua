-- The site's edits to the rule list. This default changes nothing; a site
-- replaces it with /etc/nexcage/lua/site.lua, e.g.
--   return function(rules) rules.add("tenant-tags", fn, { after = "annotations" }) end
return function(rules) end
