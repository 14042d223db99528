-- Annotations. Unknown ones are ignored, as the runtime spec says, except
-- in nexcage's own namespace, where a typo is an error.
--
-- Image labels (OCI image-spec annotations):
--   org.opencontainers.image.title, .description -> description (first lines)
--   .version, .revision, .source, .url, .documentation, .vendor, .licenses,
--   .authors, .created, .ref.name, .base.name    -> description "key: value" lines
--   .vendor, .version                            -> tags
-- nexcage's namespace, per container (M.nexcage below lists them all):
--   org.nexcage.storage, .rootfs-size, .bridge, .net0 ... .net31, .onboot,
--   .tags, .cores, .pool, .vmid (read by the VMID rule)
local util = require "nexcage.util"
local network = require "rules.network"
local rootfs = require "rules.rootfs"
local M = {}

M.prefix = "org.nexcage."
local IMAGE = "org.opencontainers.image."

-- A label value as a Proxmox tag: lower case, [a-z0-9_-+.], starting with
-- [a-z0-9_]; nil when nothing is left.
function M.tag(value)
	local t = value:lower():gsub("[^%w_%-%+%.]", "-"):gsub("^[^%w_]+", "")
	t = t:sub(1, 64)
	return t ~= "" and t or nil
end

local function bool01(v, what)
	if v == "1" or v == "true" or v == "yes" or v == "on" then return 1 end
	if v == "0" or v == "false" or v == "no" or v == "off" then return 0 end
	error(what .. ": must be true or false (got " .. v .. ")", 0)
end

-- pve-container's net keys (pve-lxc-network) with name required; values
-- cannot hold ',' (the item separator) and the whole line no control char.
local net_keys = {
	name = true, bridge = true, firewall = true, gw = true, gw6 = true, hwaddr = true, ip = true,
	ip6 = true, mtu = true, rate = true, tag = true, trunks = true, type = true, link_down = true,
	["host-managed"] = true,
}

function M.net(value, what)
	util.clean(value, what)
	local seen = {}
	for item in (value .. ","):gmatch("([^,]*),") do
		local k, v = item:match("^([%w_%-]+)=(.+)$")
		if not k or not net_keys[k] then
			error(what .. ": " .. string.format("%q", item) .. " is not one of pct's net keys (name=, bridge=, ip=, ...)", 0)
		end
		if v:find("%s") then error(what .. ": " .. k .. " must not contain white space", 0) end
		seen[k] = v
	end
	if not seen.name then error(what .. ": name= is required", 0) end
	if seen.bridge then network.bridge(seen.bridge, what .. " bridge") end
	return value
end

local function whole(v, what, lo, hi)
	local n = math.tointeger(tonumber(v) or 0 / 0)
	if not n or n < lo or n > hi then
		error(string.format("%s: must be a whole number from %d to %d (got %s)", what, lo, hi, v), 0)
	end
	return n
end

-- Every org.nexcage.* key: fn(value, spec, ctx, plan, what).
M.nexcage = {
	rootfs = function(v, spec, ctx, plan, what)
		if rootfs.mode(v, what) == "copy" and rootfs.is_bind(plan.options.rootfs) then
			rootfs.copy(spec, ctx, plan)
		elseif v == "bind" and not rootfs.is_bind(plan.options.rootfs) then
			local _, _, ro = rootfs.parse(plan.options.rootfs)
			util.set(plan, "rootfs", rootfs.bind_value(ctx.rootfs, ro, "root.path"))
		end
	end,
	storage = function(v, spec, ctx, plan, what)
		if rootfs.is_bind(plan.options.rootfs) then rootfs.copy(spec, ctx, plan) end
		local _, size, ro = rootfs.parse(plan.options.rootfs)
		util.set(plan, "rootfs", rootfs.value(rootfs.storage(v, what), size or util.config(ctx, "rootfs_size"), ro))
	end,
	["rootfs-size"] = function(v, spec, ctx, plan, what)
		if rootfs.is_bind(plan.options.rootfs) then rootfs.copy(spec, ctx, plan) end
		local storage, _, ro = rootfs.parse(plan.options.rootfs)
		util.set(plan, "rootfs", rootfs.value(storage or util.config(ctx, "storage"), rootfs.size(v, what), ro))
	end,
	bridge = function(v, spec, ctx, plan, what)
		local netns = util.namespaces(spec).network
		if not netns then
			error(what .. ": the spec has no network namespace (the CT uses the host's network)", 0)
		end
		if type(netns.path) == "string" and netns.path ~= "" then
			error(what .. ": the program joins the engine's network namespace (" .. util.clean(netns.path, what)
				.. "): a Proxmox NIC would not reach it", 0)
		end
		util.set(plan, "net0", network.default_net0(network.bridge(v, what)))
	end,
	onboot = function(v, spec, ctx, plan, what) util.set(plan, "onboot", bool01(v, what)) end,
	cores = function(v, spec, ctx, plan, what) util.set(plan, "cores", whole(v, what, 1, 8192)) end,
	pool = function(v, spec, ctx, plan, what)
		if not v:match("^[%w.%-_]+$") then error(what .. ": not a pool name ([A-Za-z0-9.-_])", 0) end
		util.set(plan, "pool", v)
	end,
	tags = function() end, -- folded into the tags below
	vmid = function(v, spec, ctx, plan, what) whole(v, what, 100, 999999999) end, -- used by vmid.lua
}
for i = 0, 31 do
	M.nexcage["net" .. i] = function(v, spec, ctx, plan, what)
		local netns = util.namespaces(spec).network
		if not netns then
			error(what .. ": the spec has no network namespace (the CT uses the host's network)", 0)
		end
		if type(netns.path) == "string" and netns.path ~= "" then
			error(what .. ": the program joins the engine's network namespace (" .. util.clean(netns.path, what)
				.. "): a Proxmox NIC would not reach it", 0)
		end
		util.set(plan, "net" .. i, M.net(v, what))
	end
end

-- The order image labels appear in the description.
M.description_labels = {
	"version", "revision", "source", "url", "documentation", "vendor", "licenses", "authors",
	"created", "ref.name", "base.name",
}
local MAX_DESCRIPTION = 8000 -- pct allows 8192; the core appends its marker lines (nexcage-id, nexcage-root)

local function description(ann, plan)
	local lines = {}
	for _, key in ipairs({ "title", "description" }) do
		local v = ann[IMAGE .. key]
		if type(v) == "string" and v ~= "" then
			-- one line each: a multi-line description is folded, and any other
			-- control character is refused
			lines[#lines + 1] = util.clean((v:gsub("\r?\n", " ")), "annotation " .. IMAGE .. key)
		end
	end
	for _, key in ipairs(M.description_labels) do
		local v = ann[IMAGE .. key]
		if type(v) == "string" and v ~= "" then
			lines[#lines + 1] = key .. ": " .. util.clean(v, "annotation " .. IMAGE .. key)
		end
	end
	if #lines == 0 then return end
	local text = table.concat(lines, "\n")
	if #text > MAX_DESCRIPTION then
		text = text:sub(1, MAX_DESCRIPTION)
		-- do not cut a UTF-8 sequence in half
		while #text > 0 and not utf8.len(text) do text = text:sub(1, -2) end
		util.warn(plan, "description from the image labels cut to " .. MAX_DESCRIPTION .. " bytes")
	end
	util.set(plan, "description", text)
end

local function tags(ann, plan)
	local out, seen = {}, {}
	local function add(t)
		if t and not seen[t] then
			seen[t] = true
			out[#out + 1] = t
		end
	end
	for _, key in ipairs({ "vendor", "version" }) do
		local v = ann[IMAGE .. key]
		if type(v) == "string" then add(M.tag(util.clean(v, "annotation " .. IMAGE .. key))) end
	end
	local mine = ann[M.prefix .. "tags"]
	if mine ~= nil then
		for t in util.clean(mine, "annotation " .. M.prefix .. "tags"):gmatch("[^,;%s]+") do
			add(M.tag(t))
		end
	end
	if #out > 0 then util.set(plan, "tags", table.concat(out, ";")) end
end

-- Kubernetes pods through containerd's CRI (io.kubernetes.cri.*) or
-- CRI-O (io.kubernetes.pod.*, io.kubernetes.container.name): every
-- container of a pod is a CT of its own, so an admin finds a pod in
-- Proxmox by its tags (k8s, pod-<namespace>-<name>), description lines and,
-- in `pct list`, by the CT's name, <pod>-<container> (the container runs in
-- the pod's uts namespace, so that name is Proxmox's only).
M.pod_keys = {
	{ kind = "io.kubernetes.cri.container-type", pod = "io.kubernetes.cri.sandbox-name",
		namespace = "io.kubernetes.cri.sandbox-namespace", container = "io.kubernetes.cri.container-name" },
	{ kind = "io.kubernetes.cri-o.ContainerType", pod = "io.kubernetes.pod.name",
		namespace = "io.kubernetes.pod.namespace", container = "io.kubernetes.container.name" },
}

-- A DNS label from a name (lower case, [a-z0-9-], 63 bytes at most).
function M.dns_label(s)
	local l = s:lower():gsub("[^%w%-]", "-"):gsub("^%-+", ""):sub(1, 63):gsub("%-+$", "")
	return l ~= "" and l or nil
end

function M.pod(ann, plan)
	for _, k in ipairs(M.pod_keys) do
		local pod, kind = ann[k.pod], ann[k.kind]
		if type(pod) == "string" and pod ~= "" then
			local ns = type(ann[k.namespace]) == "string" and ann[k.namespace] or ""
			local ctr = type(ann[k.container]) == "string" and ann[k.container] or ""
			local lines = { "kubernetes pod: " .. util.clean(ns ~= "" and ns .. "/" .. pod or pod, "annotation " .. k.pod) }
			if kind ~= "sandbox" and ctr ~= "" then
				lines[#lines + 1] = "kubernetes container: " .. util.clean(ctr, "annotation " .. k.container)
				local name = M.dns_label(pod .. "-" .. ctr)
				if name and not plan.options.hostname then util.set(plan, "hostname", name) end
			elseif kind == "sandbox" then
				lines[#lines + 1] = "kubernetes pod sandbox"
			end
			local d = plan.options.description
			util.set(plan, "description", (d and d ~= "" and d .. "\n" or "") .. table.concat(lines, "\n"))
			local t = plan.options.tags
			local pt = M.tag("pod-" .. (ns ~= "" and ns .. "-" or "") .. pod)
			util.set(plan, "tags", (t and t ~= "" and t .. ";" or "") .. "k8s" .. (pt and ";" .. pt or ""))
			return
		end
	end
end

function M.apply(spec, ctx, plan)
	local ann = util.annotations(spec, ctx)
	description(ann, plan)
	tags(ann, plan)
	M.pod(ann, plan)
	for _, key in ipairs(util.sorted_keys(ann)) do
		if key:sub(1, #M.prefix) == M.prefix then
			local name = key:sub(#M.prefix + 1)
			local what = "annotation " .. key
			local fn = M.nexcage[name]
			if not fn then
				local known = {}
				for _, k in ipairs(util.sorted_keys(M.nexcage)) do
					if not k:match("^net%d") then known[#known + 1] = k end
				end
				error(what .. ": unknown nexcage annotation (known: " .. table.concat(known, ", ")
					.. ", net0 ... net31)", 0)
			end
			fn(util.clean(ann[key], what), spec, ctx, plan, what)
		end
	end
end

return M
