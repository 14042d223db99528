/* translate: the admin's dry run. The plan the rules return, after the
 * core's validation, as JSON; or the exact pct create command line and the
 * raw keys nexcage would write. Touches no Proxmox state. */
#define _GNU_SOURCE
#include "core/dry_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bundle_load.h"
#include "util/cleanup.h"
#include "site/config.h"
#include "core/container.h"
#include "oci/container_id.h"
#include "init/protocol.h"
#include "pve/pct.h"
#include "plan/plan.h"
#include "core/plan_build.h"
#include "plan/seccomp_bpf.h"
#include "core/state_store.h"
#include "pve/template.h"
#include "core/translate.h"
#include "util/strv.h"
#include "util/xalloc.h"

typedef struct dry_run {
	nx_plan plan;
	plan_notes notes;
} dry_run;

/* A NULL-terminated vector of strings. */
typedef struct dry_run_argv {
	char **v;
	size_t n;
} dry_run_argv;

/* Load the bundle and build the plan as create would, hooks included
 * (their side effects listed, not made). with_core: with the options the
 * core adds (tags, description...), as create passes them. */
static int dry_run_plan(nx_ctx *ctx, const char *bundle_dir, const char *id, bool with_core, dry_run *out,
		 nx_err *err)
{
	memset(out, 0, sizeof *out);
	if (container_id_validate(id, err) < 0 || !ctx_config(ctx, err))
		return -1;
	nx_bundle bundle;
	nx_lua *h = ctx_lua(ctx, err);
	if (!h || bundle_load(h, bundle_dir, &bundle, err) < 0)
		return -1;
	plan_request rq = {.id = id, .bundle = &bundle, .dry_run = true, .skip_core = !with_core};
	int rc = plan_build(ctx, &rq, &out->plan, &out->notes, err);
	bundle_free(&bundle);
	return rc;
}

static void dry_run_free(dry_run *d)
{
	plan_free(&d->plan);
	plan_notes_free(&d->notes);
}

static void dry_run_argv_free(dry_run_argv *a)
{
	strv_free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* The pct create command of a plan: pct, "create", "<vmid>" (chosen only
 * at create), the template volume, then "--option", value pairs. */
static int dry_run_pct_argv(nx_ctx *ctx, const nx_plan *p, const char *id, dry_run_argv *out, nx_err *err)
{
	*out = (dry_run_argv){0};
	const nx_config *cfg = ctx_config(ctx, err);
	if (!cfg)
		return -1;
	cleanup_free char *volume = NULL;
	const char *rootfs = plan_option(p, "rootfs");
	if (rootfs && rootfs[0] == '/') { /* used in place: create names the empty archive */
		volume = template_empty_path(ctx->opts->state_dir);
	} else {
		cleanup_free char *tname = container_template_name(cfg->node, id);
		volume = xasprintf("%s:vztmpl/%s", cfg->template_storage, tname);
	}
	/* the same arguments create's pct call gets, but the VMID */
	out->v = pct_create_argv(cfg->pct, "<vmid>", volume, p->options, p->n_options);
	while (out->v[out->n])
		out->n++;
	return 0;
}

static void json_string_list(nx_buf *b, char *const *v, size_t n)
{
	buf_puts(b, "[");
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, i ? ", " : "");
		buf_json_string(b, v[i]);
	}
	buf_puts(b, "]");
}

/* Text lines as a JSON array, one a line, at depth `depth` (1: a member
 * of the top object). */
static void json_lines(nx_buf *b, const char *lines, int depth)
{
	buf_puts(b, "[");
	for (const char *l = lines; l && *l;) {
		size_t n = strcspn(l, "\n");
		char *one = xstrndup(l, n);
		buf_printf(b, "%s\n%*s", l == lines ? "" : ",", 2 * depth + 2, "");
		buf_json_string(b, one);
		free(one);
		l += n + (l[n] == '\n');
	}
	if (lines && *lines)
		buf_printf(b, "\n%*s]", 2 * depth, "");
	else
		buf_puts(b, "]");
}

/* Which rule and file set each value, and what hooks would have called. */
static void render_notes_json(const plan_notes *n, nx_buf *b)
{
	buf_puts(b, "  \"origins\": {");
	for (size_t i = 0; i < n->origins.n_options; i++) {
		buf_puts(b, i ? ",\n    " : "\n    ");
		buf_json_string(b, n->origins.options[i].key);
		buf_puts(b, ": ");
		buf_json_string(b, n->origins.options[i].value);
	}
	buf_puts(b, n->origins.n_options ? "\n  },\n  \"lxc_origins\": [" : "},\n  \"lxc_origins\": [");
	for (size_t i = 0; i < n->origins.n_lxc; i++) {
		buf_puts(b, i ? ", " : "");
		if (n->origins.lxc[i])
			buf_json_string(b, n->origins.lxc[i]);
		else
			buf_puts(b, "null");
	}
	buf_puts(b, "],\n  \"hooks_would_call\": ");
	json_lines(b, n->would_call, 1);
	buf_puts(b, ",\n");
}

/* The plan as JSON (origins and hooks' calls included). */
static void dry_run_render_json(const dry_run *d, nx_buf *b)
{
	const nx_plan *p = &d->plan;
	buf_puts(b, "{\n  \"options\": {");
	for (size_t i = 0; i < p->n_options; i++) {
		buf_puts(b, i ? ",\n    " : "\n    ");
		buf_json_string(b, p->options[i].key);
		buf_puts(b, ": ");
		buf_json_string(b, p->options[i].value);
	}
	buf_puts(b, p->n_options ? "\n  },\n  \"lxc\": [" : "},\n  \"lxc\": [");
	for (size_t i = 0; i < p->n_lxc; i++) {
		buf_puts(b, i ? ",\n    [" : "\n    [");
		buf_json_string(b, p->lxc[i].key);
		buf_puts(b, ", ");
		buf_json_string(b, p->lxc[i].value);
		buf_puts(b, "]");
	}
	buf_puts(b, p->n_lxc ? "\n  ],\n" : "],\n");
	if (p->has_process) {
		const nx_process *pr = &p->process;
		buf_puts(b, "  \"process\": {\n    \"args\": ");
		json_string_list(b, pr->args, pr->nargs);
		buf_puts(b, ",\n    \"env\": ");
		json_string_list(b, pr->env, pr->nenv);
		buf_puts(b, ",\n    \"cwd\": ");
		buf_json_string(b, pr->cwd ? pr->cwd : "/");
		buf_printf(b, ",\n    \"uid\": %lu,\n    \"gid\": %lu,\n    \"additional_gids\": [", pr->uid,
			   pr->gid);
		for (size_t i = 0; i < pr->ngroups; i++)
			buf_printf(b, "%s%lu", i ? ", " : "", pr->groups[i]);
		buf_printf(b, "],\n    \"terminal\": %s,\n    \"no_new_privileges\": %s,\n    \"rlimits\": [",
			   pr->terminal ? "true" : "false", pr->no_new_privileges ? "true" : "false");
		for (size_t i = 0; i < pr->nrlimits; i++)
			buf_printf(b, "%s{\"type\": \"%s\", \"soft\": %llu, \"hard\": %llu}", i ? ", " : "",
				   pr->rlimits[i].type, pr->rlimits[i].soft, pr->rlimits[i].hard);
		buf_puts(b, "]");
		/* What else nexcage-init applies: the dry run hides none of it. */
		if (pr->umask >= 0)
			buf_printf(b, ",\n    \"umask\": %ld", pr->umask);
		if (pr->has_oom_score_adj)
			buf_printf(b, ",\n    \"oom_score_adj\": %ld", pr->oom_score_adj);
		buf_puts(b, ",\n    \"sysctl\": {");
		for (size_t i = 0; i < pr->nsysctl; i++) {
			buf_puts(b, i ? ", " : "");
			buf_json_string(b, pr->sysctl[i].key);
			buf_puts(b, ": ");
			buf_json_string(b, pr->sysctl[i].value);
		}
		buf_puts(b, "}");
		if (pr->has_caps) {
			buf_puts(b, ",\n    \"capabilities\": {");
			for (int i = 0; i < 5; i++) {
				buf_printf(b, "%s\"%s\": ", i ? ", " : "", nx_cap_sets[i]);
				buf_json_string(b, pr->caps[i] ? pr->caps[i] : "");
			}
			buf_puts(b, "}");
		}
		if (pr->hostname) {
			buf_puts(b, ",\n    \"hostname\": ");
			buf_json_string(b, pr->hostname);
		}
		buf_printf(b, ",\n    \"readonly_root\": %s", pr->readonly_root ? "true" : "false");
		buf_puts(b, ",\n    \"readonly_paths\": ");
		json_string_list(b, p->readonly_paths, p->n_readonly_paths);
		buf_puts(b, ",\n    \"masked_paths\": ");
		json_string_list(b, p->masked_paths, p->n_masked_paths);
		buf_puts(b, ",\n    \"devices\": [");
		for (size_t i = 0; i < pr->ndevices; i++) {
			const struct nx_device *dv = &pr->devices[i];
			buf_puts(b, i ? ", {\"path\": " : "{\"path\": ");
			buf_json_string(b, dv->path);
			buf_printf(b,
				   ", \"type\": \"%c\", \"major\": %lu, \"minor\": %lu, \"mode\": %u, \"uid\": %lu, "
				   "\"gid\": %lu}",
				   dv->type, dv->major, dv->minor, dv->mode, dv->uid, dv->gid);
		}
		buf_puts(b, "]");
		buf_puts(b, ",\n    \"namespaces\": [");
		for (size_t i = 0; i < pr->njoin_ns; i++) {
			buf_puts(b, i ? ", {\"type\": " : "{\"type\": ");
			buf_json_string(b, pr->join_ns[i].key);
			buf_puts(b, ", \"path\": ");
			buf_json_string(b, pr->join_ns[i].value);
			buf_puts(b, "}");
		}
		buf_puts(b, "]\n  },\n");
	}
	if (p->seccomp) {
		/* what create writes for the init: the text compiled, its size */
		buf_printf(b, "  \"seccomp\": {\n    \"bpf_instructions\": %zu,\n    \"flags\": %u,\n",
			   p->seccomp_bpf_len, p->process.seccomp_flags);
		buf_puts(b, "    \"filter\": ");
		json_lines(b, p->seccomp, 2);
		buf_puts(b, "\n  },\n");
	}
	render_notes_json(&d->notes, b);
	buf_puts(b, "  \"notes\": ");
	json_string_list(b, p->notes, p->n_notes);
	buf_puts(b, ",\n  \"warnings\": ");
	json_string_list(b, p->warnings, p->n_warnings);
	buf_puts(b, "\n}\n");
}

static void shell_quote(nx_buf *b, const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,:/@%") ==
		      strlen(s)) {
		buf_puts(b, s);
		return;
	}
	buf_puts(b, "'");
	for (; *s; s++) {
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else
			buf_append(b, s, 1);
	}
	buf_puts(b, "'");
}

static const char *rlimit_value(unsigned long long v, char *tmp, size_t n)
{
	if (v == ~0ULL)
		return "unlimited";
	snprintf(tmp, n, "%llu", v);
	return tmp;
}

/* The process nexcage-init sets up inside the CT before it execs the
 * program: none of it is in the pct command or the raw keys, so the
 * dry run prints it too, as comments. */
static void render_init(const nx_plan *p, nx_buf *b)
{
	const nx_process *pr = &p->process;
	buf_puts(b, "# applied by nexcage-init in the CT, before the program:\n#   args:");
	for (size_t i = 0; i < pr->nargs; i++) {
		buf_puts(b, " ");
		shell_quote(b, pr->args[i]);
	}
	buf_printf(b, "\n#   cwd: %s\n#   user: %lu:%lu", pr->cwd ? pr->cwd : "/", pr->uid, pr->gid);
	if (pr->ngroups) {
		buf_puts(b, "\n#   additional groups:");
		for (size_t i = 0; i < pr->ngroups; i++)
			buf_printf(b, "%s%lu", i ? "," : " ", pr->groups[i]);
	}
	buf_puts(b, "\n");
	for (size_t i = 0; i < pr->nenv; i++) {
		buf_puts(b, "#   env: ");
		shell_quote(b, pr->env[i]); /* a newline in a value stays in the comment */
		buf_puts(b, "\n");
	}
	if (pr->umask >= 0)
		buf_printf(b, "#   umask: %04lo\n", (unsigned long)pr->umask);
	if (pr->no_new_privileges)
		buf_puts(b, "#   no_new_privileges: true\n");
	if (pr->has_oom_score_adj)
		buf_printf(b, "#   oom_score_adj: %ld\n", pr->oom_score_adj);
	for (size_t i = 0; i < pr->nrlimits; i++) {
		char s[32], h[32];
		buf_printf(b, "#   rlimit: %s %s:%s\n", pr->rlimits[i].type,
			   rlimit_value(pr->rlimits[i].soft, s, sizeof s),
			   rlimit_value(pr->rlimits[i].hard, h, sizeof h));
	}
	for (size_t i = 0; i < pr->njoin_ns; i++)
		buf_printf(b, "#   join %s namespace: %s\n", pr->join_ns[i].key, pr->join_ns[i].value);
	if (pr->hostname)
		buf_printf(b, "#   hostname: %s\n", pr->hostname);
	if (pr->readonly_root)
		buf_puts(b, "#   root: read-only, once the CT is finished\n");
	for (size_t i = 0; i < pr->nsysctl; i++)
		buf_printf(b, "#   sysctl: %s = %s\n", pr->sysctl[i].key, pr->sysctl[i].value);
	for (size_t i = 0; i < p->n_readonly_paths; i++)
		buf_printf(b, "#   read-only: %s\n", p->readonly_paths[i]);
	for (size_t i = 0; i < p->n_masked_paths; i++)
		buf_printf(b, "#   masked: %s\n", p->masked_paths[i]);
	for (size_t i = 0; i < pr->ndevices; i++) {
		const struct nx_device *dv = &pr->devices[i];
		if (dv->type == 'p')
			buf_printf(b, "#   device: %s fifo mode %04o owner %lu:%lu\n", dv->path, dv->mode, dv->uid,
				   dv->gid);
		else
			buf_printf(b, "#   device: %s %c %lu:%lu mode %04o owner %lu:%lu\n", dv->path, dv->type,
				   dv->major, dv->minor, dv->mode, dv->uid, dv->gid);
	}
	for (int i = 0; pr->has_caps && i < 5; i++)
		buf_printf(b, "#   capabilities %s: %s\n", nx_cap_sets[i],
			   pr->caps[i] && *pr->caps[i] ? pr->caps[i] : "(none)");
	if (pr->terminal)
		buf_puts(b, "#   terminal: a pty made in the CT, its master sent to --console-socket\n");
}

/* The filter create would write and the init load, line by line. */
static void render_seccomp(const nx_plan *p, const char *ctr_dir, nx_buf *b)
{
	if (!p->seccomp) {
		buf_puts(b, "# seccomp: no filter for the program (the plan has none)\n");
		return;
	}
	buf_printf(b,
		   "# seccomp filter nexcage-init loads for the program: %s/%s, %zu BPF "
		   "instructions, seccomp(2) flags %u, compiled from:\n",
		   ctr_dir, NX_INIT_SECCOMP, p->seccomp_bpf_len, p->process.seccomp_flags);
	for (const char *l = p->seccomp; *l;) {
		size_t n = strcspn(l, "\n");
		buf_printf(b, "#   %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
}

/* The pct command (shell-quoted, one option a line), the raw keys, and
 * as comments what nexcage-init applies, the warnings, the hooks' calls. */
static int dry_run_render_pct(nx_ctx *ctx, const dry_run *d, const char *id, nx_buf *b, nx_err *err)
{
	const nx_plan *p = &d->plan;
	const nx_config *cfg = ctx_config(ctx, err);
	if (!cfg)
		return -1;
	dry_run_argv argv;
	if (dry_run_pct_argv(ctx, p, id, &argv, err) < 0)
		return -1;
	/* the program, verb, VMID and volume as they are; then one option a line */
	buf_printf(b, "%s %s %s %s", argv.v[0], argv.v[1], argv.v[2], argv.v[3]);
	for (size_t i = 4; i + 1 < argv.n; i += 2) {
		buf_printf(b, " \\\n  %s ", argv.v[i]);
		shell_quote(b, argv.v[i + 1]);
	}
	dry_run_argv_free(&argv);
	cleanup_free char *cdir = state_ctr_dir(ctx->opts->root, id);
	core_raw raw;
	if (core_raw_keys(p, cfg, cdir, &raw, err) < 0)
		return -1;
	buf_printf(b, "\n# raw keys added to %s/nodes/%s/lxc/<vmid>.conf:\n", cfg->pve_etc, cfg->node);
	for (size_t i = 0; i < raw.n; i++)
		buf_printf(b, "%s: %s\n", raw.all[i].key, raw.all[i].value);
	core_raw_free(&raw);
	if (p->has_process)
		render_init(p, b);
	render_seccomp(p, cdir, b);
	for (size_t i = 0; i < p->n_warnings; i++)
		buf_printf(b, "# warning: %s\n", p->warnings[i]);
	for (size_t i = 0; i < p->n_notes; i++)
		buf_printf(b, "# note: %s\n", p->notes[i]);
	for (const char *l = d->notes.would_call; l && *l;) {
		size_t n = strcspn(l, "\n");
		buf_printf(b, "# hook would call: %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	return 0;
}

int translate_dry_run(nx_ctx *ctx, const char *bundle_dir, const char *id, dry_run_format format, nx_buf *out,
		      nx_err *err)
{
	/* The same plan create would make, hooks included; the JSON view is
	 * the rules' (and hooks') plan before the core adds its options. */
	dry_run d;
	if (dry_run_plan(ctx, bundle_dir, id, format == DRY_RUN_PCT, &d, err) < 0)
		return -1;
	int rc = 0;
	if (format == DRY_RUN_JSON)
		dry_run_render_json(&d, out);
	else
		rc = dry_run_render_pct(ctx, &d, id, out, err);
	dry_run_free(&d);
	return rc;
}
