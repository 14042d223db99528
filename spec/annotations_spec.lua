local h = require "helpers"

local function with(ann, extra_ns)
	local s = h.linux({}, extra_ns)
	s.annotations = ann
	return s
end

describe("rules.annotations", function()
	it("builds the description from image labels and tags from vendor and version", function()
		local plan = h.translate(with({
			["org.opencontainers.image.title"] = "Web server",
			["org.opencontainers.image.description"] = "Serves\nthings",
			["org.opencontainers.image.source"] = "https://example.com/web",
			["org.opencontainers.image.vendor"] = "Example Corp",
			["org.opencontainers.image.version"] = "2.4.1",
			["org.opencontainers.image.licenses"] = "MIT",
		}))
		assert.are.equal("Web server\nServes things\nversion: 2.4.1\nsource: https://example.com/web\n"
			.. "vendor: Example Corp\nlicenses: MIT", plan.options.description)
		assert.are.equal("example-corp;2.4.1", plan.options.tags)
		assert.are.equal("annotations", plan.origin.tags)
	end)

	it("cuts an oversized description (pct takes 8192 with the core's id line)", function()
		local plan = h.translate(with({ ["org.opencontainers.image.description"] = string.rep("é", 5000) }))
		assert.are.equal(8000, #plan.options.description)
		assert.truthy(utf8.len(plan.options.description))
		assert.truthy(h.warning(plan, "cut to 8000 bytes"))
	end)

	it("applies the org.nexcage namespace: net0, onboot, cores, tags, pool", function()
		local plan = h.translate(with({
			["org.nexcage.net0"] = "name=eth0,bridge=vmbr2,ip=10.0.0.5/24,gw=10.0.0.1",
			["org.nexcage.net1"] = "name=eth1,bridge=vmbr3,ip=dhcp,tag=20",
			["org.nexcage.onboot"] = "true",
			["org.nexcage.cores"] = "4",
			["org.nexcage.tags"] = "prod, Web;prod",
			["org.nexcage.pool"] = "team-a",
		}, { "network" }))
		assert.are.equal("name=eth0,bridge=vmbr2,ip=10.0.0.5/24,gw=10.0.0.1", plan.options.net0)
		assert.are.equal("name=eth1,bridge=vmbr3,ip=dhcp,tag=20", plan.options.net1)
		assert.are.equal("annotations", plan.origin.net0)
		assert.are.equal(1, plan.options.onboot)
		assert.are.equal(4, plan.options.cores)
		assert.are.equal("prod;web", plan.options.tags)
		assert.are.equal("team-a", plan.options.pool)
	end)

	it("picks the default net0's bridge with org.nexcage.bridge", function()
		local plan = h.translate(with({ ["org.nexcage.bridge"] = "vmbr7" }, { "network" }))
		assert.are.equal("name=eth0,bridge=vmbr7,ip=dhcp", plan.options.net0)
	end)

	it("refuses network annotations for a CT on the host's network", function()
		assert.matches("no network namespace", h.refuse(with({ ["org.nexcage.net0"] = "name=eth0,bridge=vmbr0" })).msg)
		assert.matches("no network namespace", h.refuse(with({ ["org.nexcage.bridge"] = "vmbr1" })).msg)
	end)

	it("sets the root disk's storage and size, the root staying read-only", function()
		local s = with({ ["org.nexcage.storage"] = "fast-ssd", ["org.nexcage.rootfs-size"] = "20" })
		s.root.readonly = true
		local plan = h.translate(s)
		assert.are.equal("fast-ssd:20", plan.options.rootfs)
		assert.is_true(plan.process.readonly_root)
		assert.are.equal("local-lvm:2", h.translate(with({ ["org.nexcage.rootfs-size"] = "2" })).options.rootfs)
	end)

	it("checks org.nexcage.vmid early (the VMID rule uses it)", function()
		assert.is_table(h.translate(with({ ["org.nexcage.vmid"] = "4242" })))
		assert.matches("from 100 to 999999999", h.refuse(with({ ["org.nexcage.vmid"] = "12" })).msg)
	end)

	it("refuses unknown keys in the nexcage namespace (a typo is not silently ignored)", function()
		local err = h.refuse(with({ ["org.nexcage.stroage"] = "tank" }))
		assert.are.equal("annotations", err.rule)
		assert.are.equal("annotation org.nexcage.stroage: unknown nexcage annotation (known: bridge, cores, onboot, "
			.. "pool, rootfs, rootfs-size, storage, tags, vmid, net0 ... net31)", err.msg)
	end)

	it("refuses annotations that would inject config keys or are out of range", function()
		local cases = {
			["org.nexcage.net0"] = "name=eth0\nlxc.apparmor.profile: unconfined",
			["org.opencontainers.image.title"] = "x\rlxc.cap.keep: all",
			["org.opencontainers.image.version"] = "1\nlxc.x: y",
			["org.nexcage.tags"] = "a\nlxc.x: y",
			["org.nexcage.storage"] = "x,mp=/etc",
			["org.nexcage.cores"] = "0",
			["org.nexcage.onboot"] = "maybe",
			["org.nexcage.pool"] = "a b",
			["org.nexcage.rootfs-size"] = "-1",
		}
		for key, value in pairs(cases) do
			local err = h.refuse(with({ [key] = value }, { "network" }))
			assert.are.equal("annotations", err.rule, key)
		end
		for _, net in ipairs({ "bridge=vmbr0", "name=eth0,mp=/etc", "name=eth0,bridge=a b", "name=eth0,bridge=x;y" }) do
			assert.are.equal("annotations", h.refuse(with({ ["org.nexcage.net0"] = net }, { "network" })).rule, net)
		end
	end)

	it("names a Kubernetes pod's CTs so an admin finds the pod (containerd's and CRI-O's annotations)", function()
		local sandbox = with({ ["io.kubernetes.cri.container-type"] = "sandbox",
			["io.kubernetes.cri.sandbox-name"] = "web", ["io.kubernetes.cri.sandbox-namespace"] = "shop" })
		local plan = h.translate(sandbox)
		assert.are.equal("kubernetes pod: shop/web\nkubernetes pod sandbox", plan.options.description)
		assert.are.equal("k8s;pod-shop-web", plan.options.tags)
		local s = with({ ["io.kubernetes.cri.container-type"] = "container",
			["io.kubernetes.cri.sandbox-name"] = "web", ["io.kubernetes.cri.sandbox-namespace"] = "shop",
			["io.kubernetes.cri.container-name"] = "nginx_Main" })
		s.hostname = nil
		plan = h.translate(s)
		assert.are.equal("web-nginx-main", plan.options.hostname)
		assert.are.equal("kubernetes pod: shop/web\nkubernetes container: nginx_Main", plan.options.description)
		-- Proxmox's name only: the program keeps the pod's uts namespace's
		assert.is_nil(plan.process.hostname)
		s = with({ ["io.kubernetes.pod.name"] = "db", ["io.kubernetes.pod.namespace"] = "data",
			["io.kubernetes.container.name"] = "pg", ["io.kubernetes.cri-o.ContainerType"] = "container" })
		s.hostname = nil
		plan = h.translate(s)
		assert.are.equal("db-pg", plan.options.hostname)
		assert.are.equal("k8s;pod-data-db", plan.options.tags)
	end)

	it("ignores unknown annotations of other namespaces", function()
		local plan = h.translate(with({ ["com.example.anything"] = "x\ny" }))
		assert.is_nil(plan.options.description)
		assert.is_nil(plan.options.tags)
	end)
end)
