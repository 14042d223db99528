/* The plan's accessors: freeing it, reading and setting the options the
 * core owns. */
#define _GNU_SOURCE
#include "plan/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_format.h"
#include "util/xalloc.h"

const char *const nx_cap_sets[5] = {"bounding", "effective", "permitted", "inheritable", "ambient"};

void plan_strings_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int plan_kv_cmp(const void *a, const void *b)
{
	return strcmp(((const nx_kv *)a)->key, ((const nx_kv *)b)->key);
}

void plan_free(nx_plan *plan)
{
	nx_kv_free(plan->options, plan->n_options);
	nx_kv_free(plan->lxc, plan->n_lxc);
	nx_process *p = &plan->process;
	plan_strings_free(p->args, p->nargs);
	plan_strings_free(p->env, p->nenv);
	free(p->cwd);
	free(p->groups);
	for (size_t i = 0; i < p->nrlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	nx_kv_free(p->sysctl, p->nsysctl);
	for (int i = 0; i < 5; i++)
		free(p->caps[i]);
	nx_kv_free(p->join_ns, p->njoin_ns);
	for (size_t i = 0; i < p->ndevices; i++)
		free(p->devices[i].path);
	free(p->devices);
	free(p->hostname);
	plan_strings_free(plan->warnings, plan->n_warnings);
	plan_strings_free(plan->notes, plan->n_notes);
	free(plan->seccomp);
	free(plan->seccomp_bpf);
	plan_strings_free(plan->masked_paths, plan->n_masked_paths);
	plan_strings_free(plan->readonly_paths, plan->n_readonly_paths);
	memset(plan, 0, sizeof *plan);
}

const char *plan_option(const nx_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n_options; i++)
		if (!strcmp(plan->options[i].key, name))
			return plan->options[i].value;
	return NULL;
}

int plan_set_option(nx_plan *plan, const char *name, const char *value, nx_err *err)
{
	char why[512];
	if (plan_check_option(name, value, why, sizeof why) < 0)
		return nx_err_set(err, "option %s: %s", name, why);
	for (size_t i = 0; i < plan->n_options; i++)
		if (!strcmp(plan->options[i].key, name)) {
			char *nv = xstrdup(value);
			free(plan->options[i].value);
			plan->options[i].value = nv;
			return 0;
		}
	plan->options = xreallocarray(plan->options, plan->n_options + 1, sizeof(nx_kv));
	plan->options[plan->n_options++] = (nx_kv){xstrdup(name), xstrdup(value)};
	qsort(plan->options, plan->n_options, sizeof(nx_kv), plan_kv_cmp);
	return 0;
}

void plan_drop_option(nx_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n_options; i++)
		if (!strcmp(plan->options[i].key, name)) {
			free(plan->options[i].key);
			free(plan->options[i].value);
			memmove(&plan->options[i], &plan->options[i + 1],
				sizeof(nx_kv) * (plan->n_options - i - 1));
			plan->n_options--;
			return;
		}
}
