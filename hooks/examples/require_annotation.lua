-- Refuse bundles that lack an annotation (e.g. an owner for billing).
-- Use: return require "hooks.examples.require_annotation" "com.example.owner"
return function(key)
	assert(type(key) == "string" and key ~= "", "require_annotation: give the annotation name")
	return function(h)
		local ann = h.spec and h.spec.annotations
		local value = type(ann) == "table" and ann[key] or nil
		if type(value) ~= "string" or value == "" then
			error(string.format("bundle refused by site policy: annotation %s is required", key), 0)
		end
	end
end
