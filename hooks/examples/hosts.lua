-- Keep "<ip> <hostname>  # nexcage <id>" lines in a hosts file for containers
-- whose net0 has a static address: added at post-create, removed at
-- post-delete. The address is read from the CT's Proxmox config.
-- Use: return require "hooks.examples.hosts" "/etc/hosts.nexcage"
local nx = require "nexcage"

local function ct_config(h)
	local path = string.format("%s/nodes/%s/lxc/%d.conf", h.config.pve_etc, h.config.node, h.vmid)
	return nx.read_file(path)
end

-- "net0: name=eth0,bridge=vmbr0,ip=10.0.0.5/24" -> "10.0.0.5"
local function static_address(conf)
	local net0 = conf:match("\nnet0: ([^\n]*)") or conf:match("^net0: ([^\n]*)")
	return net0 and net0:match("ip=(%d+%.%d+%.%d+%.%d+)")
end

local function without_entry(text, id)
	local kept = {}
	for line in text:gmatch("[^\n]+") do
		if not line:find("# nexcage " .. id .. "$", 1, false) then
			kept[#kept + 1] = line
		end
	end
	return kept
end

return function(file)
	assert(type(file) == "string" and file:sub(1, 1) == "/", "hosts: give an absolute file name")
	return function(h)
		local current = nx.read_file(file) or ""
		local lines = without_entry(current, h.id)
		if h.phase == "post-create" then
			local conf = ct_config(h)
			local ip = conf and static_address(conf)
			local name = conf and conf:match("\nhostname: ([^\n]+)")
			if not (ip and name) then
				return
			end
			lines[#lines + 1] = string.format("%s %s  # nexcage %s", ip, name, h.id)
		end
		local ok, err = nx.write_file(file, table.concat(lines, "\n") .. (#lines > 0 and "\n" or ""))
		if not ok then
			error("hosts: " .. err, 0)
		end
	end
end
