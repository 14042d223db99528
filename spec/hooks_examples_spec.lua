-- The example lifecycle hooks shipped in hooks/examples, run against a
-- stand-in for the C `nexcage` module.
package.path = "./?.lua;" .. package.path

local files, logs

local function fake_nexcage()
	return {
		log = function(level, msg) logs[#logs + 1] = level .. " " .. msg end,
		read_file = function(path)
			if files[path] then return files[path] end
			return nil, path .. ": No such file or directory"
		end,
		write_file = function(path, data) files[path] = data; return true end,
	}
end

local function load_hook(name)
	package.loaded["nexcage"] = fake_nexcage()
	package.loaded["hooks.examples." .. name] = nil
	return require("hooks.examples." .. name)
end

describe("hooks.examples", function()
	before_each(function()
		files, logs = {}, {}
	end)

	it("audit logs one line naming the phase, id and VMID", function()
		local audit = load_hook("audit")
		audit({ phase = "post-create", id = "web", vmid = 101, bundle = "/b",
			state = { status = "created" } })
		assert.are.same({ "info audit: post-create id=web vmid=101 status=created bundle=/b" }, logs)
	end)

	it("require_annotation refuses a bundle without the annotation", function()
		local hook = load_hook("require_annotation")("com.example.owner")
		assert.has_error(function()
			hook({ phase = "pre-create", spec = { annotations = { other = "x" } } })
		end, "bundle refused by site policy: annotation com.example.owner is required")
		assert.has_no.errors(function()
			hook({ phase = "pre-create", spec = { annotations = { ["com.example.owner"] = "ops" } } })
		end)
	end)

	it("hosts adds a line at post-create and removes it at post-delete", function()
		local hook = load_hook("hosts")("/etc/hosts.nexcage")
		files["/etc/pve/nodes/pve/lxc/101.conf"] =
			"arch: amd64\nhostname: web\nnet0: name=eth0,bridge=vmbr0,ip=10.0.0.5/24\n"
		files["/etc/hosts.nexcage"] = "10.0.0.9 db  # nexcage db\n"
		local h = { phase = "post-create", id = "web", vmid = 101,
			config = { pve_etc = "/etc/pve", node = "pve" } }
		hook(h)
		assert.are.equal("10.0.0.9 db  # nexcage db\n10.0.0.5 web  # nexcage web\n",
			files["/etc/hosts.nexcage"])
		h.phase = "post-delete"
		hook(h)
		assert.are.equal("10.0.0.9 db  # nexcage db\n", files["/etc/hosts.nexcage"])
	end)

	it("hosts does nothing for a DHCP container", function()
		local hook = load_hook("hosts")("/etc/hosts.nexcage")
		files["/etc/pve/nodes/pve/lxc/102.conf"] = "hostname: dyn\nnet0: name=eth0,bridge=vmbr0,ip=dhcp\n"
		hook({ phase = "post-create", id = "dyn", vmid = 102, config = { pve_etc = "/etc/pve", node = "pve" } })
		assert.is_nil(files["/etc/hosts.nexcage"])
	end)
end)
