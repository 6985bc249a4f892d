/* Parsing and checking one policy: selector, schedule, retention, quota, AWS Backup, copies, sharing,
 * export, restore drills, assumed role and freshness thresholds. */
#include "config-policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config-validate.h"
#include "string-table.h"
#include "strv.h"
#include "time-util.h"
#include "timespec.h"

#define RETENTION_KEYS                                                                                      \
        "keep_last", "daily", "weekly", "monthly", "yearly", "keep_within", "max_age", "min_keep"

static const char *const policy_keys[] = {
    "name", "clusters", "match_tags", "region",       "schedule",    "retention", "quota", "aws_backup",
    "copy", "share",    "export",     "restore_test", "assume_role", "check",     NULL,
};
static const char *const schedule_keys[] = {"every", "window", NULL};
static const char *const retention_keys[] = {RETENTION_KEYS, NULL};
static const char *const quota_keys[] = {"limit", "reserve", NULL};
static const char *const aws_backup_keys[] = {"manage", RETENTION_KEYS, NULL};
static const char *const copy_keys[] = {"region", "kms_key", "copy_tags", "retention", NULL};
static const char *const share_keys[] = {"accounts", "kms_key", NULL};
static const char *const export_keys[] = {"bucket", "prefix", "iam_role", "kms_key", "every", NULL};
static const char *const restore_test_keys[] = {"every",        "source",        "instance_class",
                                                "keep_minutes", "probe_command", NULL};
static const char *const assume_role_keys[] = {"role_arn", "external_id", NULL};
static const char *const check_keys[] = {"warning", "critical", "rpo_warning", NULL};

/* Shortest and longest ages a retention rule may name. */
#define RETENTION_DURATION_MIN SEC_PER_HOUR
#define RETENTION_DURATION_MAX DURATION_MAX_SEC

/* A string setting that must be there and pass `valid`, copied into *ret. Missing, it is reported with
 * `missing` (what to write); refused, as "\"<value>\" is not <what>". */
static void parse_required_string(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                                  bool (*valid)(const char *), const char *what, const char *missing,
                                  char **ret)
{
        struct conf_node n;
        const char *s;
        int r = conf_get_string(ctx, group, key, &s, &n);

        if (r == 0)
                conf_error_missing(ctx, group, key, "%s", missing);
        else if (r > 0 && !valid(s))
                conf_error(ctx, &n, "\"%s\" is not %s", s, what);
        else if (r > 0)
                conf_strdup(ctx, s, ret);
}

const char *policy_region(const struct policy *p, const struct agent_settings *agent)
{
        return p->region ? p->region : agent->region;
}

/* Any retention key written, valid or not: "no rule" is only worth saying when none was. */
static bool retention_keys_present(const struct conf_node *group)
{
        struct conf_node n;
        for (const char *const *k = retention_keys; *k; k++)
                if (!streq(*k, "min_keep") && conf_member(group, *k, &n))
                        return true;
        return false;
}

bool retention_has_rule(const struct retention *r)
{
        return r->keep_last || r->daily || r->weekly || r->monthly || r->yearly || r->keep_within_sec ||
               r->max_age_sec;
}

/* The retention keys of `group` (which may hold other keys too: aws_backup does). */
static void parse_retention_keys(struct conf_ctx *ctx, const struct conf_node *group, struct retention *r)
{
        struct conf_node within_node;
        char a[32], b[32];

        conf_get_uint(ctx, group, "keep_last", 0, RETENTION_COUNT_MAX, &r->keep_last);
        conf_get_uint(ctx, group, "daily", 0, RETENTION_COUNT_MAX, &r->daily);
        conf_get_uint(ctx, group, "weekly", 0, RETENTION_COUNT_MAX, &r->weekly);
        conf_get_uint(ctx, group, "monthly", 0, RETENTION_COUNT_MAX, &r->monthly);
        conf_get_uint(ctx, group, "yearly", 0, RETENTION_COUNT_MAX, &r->yearly);
        conf_get_uint(ctx, group, "min_keep", 0, RETENTION_COUNT_MAX, &r->min_keep);
        conf_get_duration(ctx, group, "keep_within", RETENTION_DURATION_MIN, RETENTION_DURATION_MAX,
                          &r->keep_within_sec);
        conf_get_duration(ctx, group, "max_age", RETENTION_DURATION_MIN, RETENTION_DURATION_MAX,
                          &r->max_age_sec);

        if (r->keep_within_sec && r->max_age_sec && r->keep_within_sec > r->max_age_sec &&
            conf_member(group, "keep_within", &within_node))
                conf_error(
                    ctx, &within_node,
                    "keep_within (%s) is longer than max_age (%s): max_age would delete what keep_within "
                    "keeps; make keep_within at most max_age",
                    duration_format(r->keep_within_sec, a, sizeof(a)),
                    duration_format(r->max_age_sec, b, sizeof(b)));
}

/* A retention group of its own, which must name a rule: `if_none` ends the error when it names none (what
 * leaving it out would do instead differs between a policy and a copy). */
static void parse_retention(struct conf_ctx *ctx, const struct conf_node *group, struct retention *r,
                            const char *if_none)
{
        conf_check_members(ctx, group, retention_keys);
        parse_retention_keys(ctx, group, r);
        if (!retention_keys_present(group))
                conf_error(
                    ctx, group,
                    "no retention rule: set at least one of keep_last, daily, weekly, monthly, yearly, "
                    "keep_within or max_age%s",
                    if_none);
}

static void parse_kms_key(struct conf_ctx *ctx, const struct conf_node *group, const char *expected_region,
                          const char *what, char **ret)
{
        struct conf_node n;
        const char *s;
        char region[32];

        if (conf_get_string(ctx, group, "kms_key", &s, &n) <= 0)
                return;
        if (!kms_key_arn_is_valid(s, region)) {
                conf_error(
                    ctx, &n,
                    "\"%s\" is not a KMS key ARN: expected \"arn:aws:kms:REGION:ACCOUNT:key/KEY-ID\" or "
                    "\"arn:aws:kms:REGION:ACCOUNT:alias/NAME\" (not an AWS-managed alias/aws/...)",
                    s);
                return;
        }
        if (expected_region && !streq(region, expected_region)) {
                conf_error(ctx, &n,
                           "the key is in %s but %s is in %s: KMS keys are regional; use a key in %s",
                           region, what, expected_region, expected_region);
                return;
        }
        conf_strdup(ctx, s, ret);
}

static void parse_region(struct conf_ctx *ctx, const struct conf_node *group, char **ret)
{
        struct conf_node n;
        const char *s;

        if (conf_get_string(ctx, group, "region", &s, &n) <= 0)
                return;
        if (!region_name_is_valid(s)) {
                conf_error(
                    ctx, &n, "\"%s\" is not an AWS region name: expected one such as \"eu-west-1\"%s", s,
                    availability_zone_is_valid(s) ? " (that is an availability zone; drop the letter)" : "");
                return;
        }
        conf_strdup(ctx, s, ret);
}

static void parse_selector(struct conf_ctx *ctx, const struct conf_node *pn, struct policy *p)
{
        struct conf_node n, tags;
        bool have_globs = false, have_tags = false;

        if (conf_get_string_seq(ctx, pn, "clusters", &n) > 0) {
                unsigned len = conf_length(&n);
                if (len == 0)
                        conf_error(ctx, &n,
                                   "empty: give at least one glob on cluster identifiers, such as "
                                   "[ \"prod-*\" ] (or [ \"*\" ] for every cluster)");
                else if (len > POLICY_CLUSTERS_MAX)
                        conf_error(ctx, &n, "%u globs: at most %d", len, POLICY_CLUSTERS_MAX);
                else
                        for (unsigned i = 0; i < len; i++) {
                                struct conf_node e;
                                const char *g;
                                conf_elem(&n, i, &e);
                                g = conf_string(&e);
                                if (!cluster_glob_is_valid(g)) {
                                        conf_error(
                                            ctx, &e,
                                            "\"%s\" is not a cluster glob: expected 1..63 of letters, "
                                            "digits, '-' and the wildcards * ? [...]",
                                            g);
                                        continue;
                                }
                                if (strv_contains(p->clusters, g)) {
                                        conf_error(ctx, &e, "\"%s\" is listed twice; list each glob once",
                                                   g);
                                        continue;
                                }
                                if (strv_extend(&p->clusters, g) < 0)
                                        ctx->oom = -ENOMEM;
                                have_globs = true;
                        }
        }

        if (conf_member(pn, "match_tags", &tags)) {
                unsigned len = conf_length(&tags);
                bool group = conf_is_group(&tags);
                bool empty = len == 0;

                if (!group && !conf_is_list(&tags)) {
                        conf_error(ctx, &tags,
                                   "expected a group { key = \"value\"; ... } or a list ( [ \"key\", "
                                   "\"value\" ], ... ), got %s",
                                   conf_type_name(&tags));
                        len = 0;
                } else if (len > POLICY_MATCH_TAGS_MAX) {
                        conf_error(ctx, &tags, "%u tags: at most %d", len, POLICY_MATCH_TAGS_MAX);
                        len = 0;
                }
                if (len > 0) {
                        p->match_tags = arena_alloc_array(ctx->arena, len, sizeof(*p->match_tags));
                        if (!p->match_tags) {
                                ctx->oom = -ENOMEM;
                                len = 0;
                        }
                }
                for (unsigned i = 0; i < len; i++) {
                        struct conf_node e, kn, vn;
                        const char *k, *v;

                        conf_elem(&tags, i, &e);
                        if (group) {
                                k = conf_name(&e);
                                v = conf_string(&e);
                                if (!v) {
                                        conf_error(ctx, &e, "expected a tag value string, got %s",
                                                   conf_type_name(&e));
                                        continue;
                                }
                        } else {
                                if (!conf_is_string_seq(&e) || conf_length(&e) != 2) {
                                        conf_error(ctx, &e, "expected [ \"key\", \"value\" ], got %s",
                                                   conf_type_name(&e));
                                        continue;
                                }
                                conf_elem(&e, 0, &kn);
                                conf_elem(&e, 1, &vn);
                                k = conf_string(&kn);
                                v = conf_string(&vn);
                                if (!k || !v) {
                                        conf_error(ctx, &e, "expected [ \"key\", \"value\" ] (two strings)");
                                        continue;
                                }
                        }
                        if (!tag_key_is_valid(k) || !tag_value_is_valid(v)) {
                                conf_error(
                                    ctx, &e,
                                    "tag keys are 1..128 and values 0..256 characters, without control "
                                    "characters");
                                continue;
                        }
                        bool dup = false;
                        for (size_t j = 0; j < p->n_match_tags; j++)
                                if (streq(p->match_tags[j].key, k))
                                        dup = true;
                        if (dup) {
                                conf_error(ctx, &e,
                                           "tag \"%s\" is listed twice; a cluster has one value per key", k);
                                continue;
                        }
                        struct tag *t = &p->match_tags[p->n_match_tags];
                        if (conf_strdup(ctx, k, &t->key) < 0 || conf_strdup(ctx, v, &t->value) < 0)
                                continue;
                        p->n_match_tags++;
                        have_tags = true;
                }
                if (empty && (group || conf_is_list(&tags)) && !have_globs)
                        conf_error(ctx, &tags,
                                   "empty: name at least one tag, or select clusters with clusters");
        }

        /* Only complain about a missing selector when nothing at all was written: a broken one was
         * already reported where it is. */
        if (!have_globs && !have_tags && !conf_member(pn, "clusters", &n) &&
            !conf_member(pn, "match_tags", &n))
                conf_error_missing(ctx, pn, "clusters",
                                   "the policy selects no cluster: set clusters = [ \"glob\", ... ] and/or "
                                   "match_tags = { key = \"value\"; }");
}

static void parse_schedule(struct conf_ctx *ctx, const struct conf_node *pn, struct policy *p)
{
        struct conf_node g, wn;
        const char *w;
        char a[32], b[32];

        if (conf_get_group(ctx, pn, "schedule", &g) <= 0)
                return;
        conf_check_members(ctx, &g, schedule_keys);
        conf_get_schedule(ctx, &g, "every", &p->every);
        if (conf_get_string(ctx, &g, "window", &w, &wn) <= 0)
                return;
        if (streq(w, "cluster")) {
                p->window_from_cluster = true;
                return;
        }
        struct window win;
        if (window_parse(w, &win) < 0) {
                conf_error(
                    ctx, &wn,
                    "\"%s\" is not a window: expected \"cluster\" (the cluster's preferred backup window) "
                    "or UTC \"hh:mm-hh:mm\" (00:00 to 23:59, may wrap midnight), such as \"02:00-03:00\"",
                    w);
                return;
        }
        int len = window_length_min(&win);
        if (len < CONFIG_MIN_WINDOW_MINUTES) {
                conf_error(ctx, &wn, "\"%s\" lasts %d minutes: AWS requires a window of at least %d minutes",
                           w, len, CONFIG_MIN_WINDOW_MINUTES);
                return;
        }
        if (p->every.kind == SCHEDULE_INTERVAL && (int64_t)len * SEC_PER_MINUTE > p->every.interval_sec) {
                conf_error(ctx, &wn,
                           "\"%s\" lasts %s, longer than the interval every:%s: slots would overlap; use a "
                           "window at most as long as the interval",
                           w, duration_format((int64_t)len * SEC_PER_MINUTE, a, sizeof(a)),
                           duration_format(p->every.interval_sec, b, sizeof(b)));
                return;
        }
        p->window_from_cluster = false;
        p->window = win;
}

static void parse_quota(struct conf_ctx *ctx, const struct conf_node *pn, struct policy *p)
{
        struct conf_node g, rn;
        unsigned limit = p->quota_limit, reserve = p->quota_reserve;
        int rl, rr;

        if (conf_get_group(ctx, pn, "quota", &g) <= 0)
                return;
        conf_check_members(ctx, &g, quota_keys);
        rl = conf_get_uint(ctx, &g, "limit", 1, QUOTA_LIMIT_MAX, &limit);
        rr = conf_get_uint(ctx, &g, "reserve", 0, QUOTA_LIMIT_MAX, &reserve);
        if (rl < 0 || rr < 0)
                return;
        if (limit > 0 && reserve >= limit) {
                if (!conf_member(&g, "reserve", &rn))
                        conf_member(&g, "limit", &rn);
                conf_error(
                    ctx, &rn,
                    "reserve (%u) must be less than limit (%u): nothing would be left for this policy",
                    reserve, limit);
                return;
        }
        p->quota_limit = limit;
        p->quota_reserve = reserve;
}

static void parse_aws_backup(struct conf_ctx *ctx, const struct conf_node *pn, struct policy *p)
{
        struct conf_node g, mn;

        if (conf_get_group(ctx, pn, "aws_backup", &g) <= 0)
                return;
        conf_check_members(ctx, &g, aws_backup_keys);
        conf_get_bool(ctx, &g, "manage", &p->aws_backup_manage);
        parse_retention_keys(ctx, &g, &p->aws_backup_retention);
        if (p->aws_backup_manage && !retention_keys_present(&g) && conf_member(&g, "manage", &mn))
                conf_error(
                    ctx, &mn,
                    "manage = true needs a retention for AWS Backup snapshots: set max_age, keep_within, "
                    "keep_last, daily, weekly, monthly or yearly in aws_backup");
}

static void parse_copies(struct conf_ctx *ctx, const struct conf_node *pn, struct policy *p,
                         const struct agent_settings *agent)
{
        struct conf_node l;
        unsigned len;
        const char *src = policy_region(p, agent);

        if (conf_get_list(ctx, pn, "copy", &l) <= 0)
                return;
        len = conf_length(&l);
        if (len > POLICY_COPIES_MAX) {
                conf_error(ctx, &l, "%u copies: at most %d", len, POLICY_COPIES_MAX);
                return;
        }
        if (len == 0)
                return;
        p->copies = arena_alloc_array(ctx->arena, len, sizeof(*p->copies));
        if (!p->copies) {
                ctx->oom = -ENOMEM;
                return;
        }
        for (unsigned i = 0; i < len; i++) {
                struct conf_node e, rn, rg;
                struct copy_target *c = &p->copies[p->n_copies];

                conf_elem(&l, i, &e);
                if (!conf_is_group(&e)) {
                        conf_error(ctx, &e, "expected a group { region = \"...\"; ... }, got %s",
                                   conf_type_name(&e));
                        continue;
                }
                p->n_copies++;
                c->line = conf_line(&e);
                c->copy_tags = true;
                c->retention = p->retention; /* a copy keeps what its source keeps unless told otherwise */
                conf_check_members(ctx, &e, copy_keys);
                parse_region(ctx, &e, &c->region);
                if (!c->region) {
                        if (!conf_member(&e, "region", &rn))
                                conf_error_missing(ctx, &e, "region",
                                                   "a copy needs its destination region, such as "
                                                   "region = \"us-west-2\"");
                } else {
                        conf_member(&e, "region", &rn);
                        if (src && streq(src, c->region))
                                conf_error(ctx, &rn,
                                           "\"%s\" is the policy's own region: copies go to another region",
                                           c->region);
                        for (size_t j = 0; j + 1 < p->n_copies; j++)
                                if (streq_ptr(p->copies[j].region, c->region))
                                        conf_error(ctx, &rn,
                                                   "a copy to %s is already listed at line %u; one copy per "
                                                   "region",
                                                   c->region, p->copies[j].line);
                }
                parse_kms_key(ctx, &e, c->region, "the copy", &c->kms_key);
                conf_get_bool(ctx, &e, "copy_tags", &c->copy_tags);
                if (conf_get_group(ctx, &e, "retention", &rg) > 0) {
                        c->retention = (struct retention){};
                        parse_retention(ctx, &rg, &c->retention,
                                        " (or leave retention out to use the policy's)");
                }
        }
}

static void parse_share(struct conf_ctx *ctx, const struct conf_node *pn, struct policy *p,
                        const struct agent_settings *agent)
{
        struct conf_node g, an;

        if (conf_get_group(ctx, pn, "share", &g) <= 0)
                return;
        conf_check_members(ctx, &g, share_keys);
        int r = conf_get_string_seq(ctx, &g, "accounts", &an);
        if (r == 0)
                conf_error_missing(
                    ctx, &g, "accounts",
                    "share needs accounts = [ \"123456789012\", ... ] (12-digit account ids)");
        else if (r > 0) {
                unsigned len = conf_length(&an);
                if (len == 0)
                        conf_error(ctx, &an,
                                   "empty: list the 12-digit account ids to share with, or drop share");
                else if (len > POLICY_SHARE_ACCOUNTS_MAX)
                        conf_error(ctx, &an, "%u accounts: RDS shares a snapshot with at most %d accounts",
                                   len, POLICY_SHARE_ACCOUNTS_MAX);
                else
                        for (unsigned i = 0; i < len; i++) {
                                struct conf_node e;
                                conf_elem(&an, i, &e);
                                const char *a = conf_string(&e);
                                if (!account_id_is_valid(a))
                                        conf_error(
                                            ctx, &e,
                                            "\"%s\" is not an AWS account id: expected exactly 12 digits, "
                                            "such as \"123456789012\"",
                                            a);
                                else if (strv_contains(p->share.accounts, a))
                                        conf_error(ctx, &e, "\"%s\" is listed twice", a);
                                else if (strv_extend(&p->share.accounts, a) < 0)
                                        ctx->oom = -ENOMEM;
                        }
        }
        parse_kms_key(ctx, &g, policy_region(p, agent), "the policy", &p->share.kms_key);
}

static void check_role_arn(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                           const char *region, char **ret, bool required, const char *what)
{
        struct conf_node n;
        const char *s;
        struct arn a;

        int r = conf_get_string(ctx, group, key, &s, &n);
        if (r == 0 && required)
                conf_error_missing(ctx, group, key, "%s needs %s = \"arn:aws:iam::ACCOUNT:role/NAME\"", what,
                                   key);
        if (r <= 0)
                return;
        if (!iam_role_arn_is_valid(s)) {
                conf_error(ctx, &n,
                           "\"%s\" is not an IAM role ARN: expected \"arn:aws:iam::123456789012:role/NAME\" "
                           "(12-digit account, empty region, role/ resource)",
                           s);
                return;
        }
        if (region && region_partition(region) && arn_parse(s, &a) >= 0 &&
            !streq(a.partition, region_partition(region))) {
                conf_error(ctx, &n, "the role is in partition %s but region %s is in %s", a.partition,
                           region, region_partition(region));
                return;
        }
        conf_strdup(ctx, s, ret);
}

static void parse_export(struct conf_ctx *ctx, const struct conf_node *pn, struct policy *p,
                         const struct agent_settings *agent)
{
        struct conf_node g, n;
        const char *s;
        const char *region = policy_region(p, agent);

        if (conf_get_group(ctx, pn, "export", &g) <= 0)
                return;
        p->export_.enabled = true;
        conf_check_members(ctx, &g, export_keys);

        parse_required_string(
            ctx, &g, "bucket", s3_bucket_name_is_valid,
            "an S3 bucket name: expected 3..63 lowercase letters, digits, dots and hyphens, "
            "starting and ending with a letter or digit",
            "export needs bucket = \"NAME\" (an S3 bucket in the cluster's region)", &p->export_.bucket);
        if (conf_get_string(ctx, &g, "prefix", &s, &n) > 0) {
                if (!s3_prefix_is_valid(s))
                        conf_error(ctx, &n,
                                   "expected an object key prefix of at most 512 characters, not "
                                   "starting with '/', such as \"aurora/\"");
                else
                        conf_strdup(ctx, s, &p->export_.prefix);
        }
        check_role_arn(ctx, &g, "iam_role", region, &p->export_.iam_role, true, "export");
        if (!conf_member(&g, "kms_key", &n))
                conf_error_missing(
                    ctx, &g, "kms_key",
                    "export needs kms_key = \"arn:aws:kms:REGION:ACCOUNT:key/ID\": RDS encrypts "
                    "every export");
        parse_kms_key(ctx, &g, region, "the policy", &p->export_.kms_key);
        conf_get_schedule(ctx, &g, "every", &p->export_.every);
}

static const char *const restore_source_table[_RESTORE_SOURCE_MAX] = {
    [RESTORE_SOURCE_SNAPSHOT] = "snapshot",
    [RESTORE_SOURCE_POINT_IN_TIME] = "point-in-time",
};

static void parse_restore_test(struct conf_ctx *ctx, const struct conf_node *pn, struct policy *p)
{
        struct conf_node g, n;
        const char *s;

        if (conf_get_group(ctx, pn, "restore_test", &g) <= 0)
                return;
        p->restore_test.enabled = true;
        conf_check_members(ctx, &g, restore_test_keys);
        conf_get_schedule(ctx, &g, "every", &p->restore_test.every);
        if (conf_get_string(ctx, &g, "source", &s, &n) > 0) {
                int source = string_table_lookup(restore_source_table, ELEMENTSOF(restore_source_table), s);
                if (source >= 0)
                        p->restore_test.source = source;
                else
                        conf_error(ctx, &n,
                                   "\"%s\" is not a restore source: expected \"snapshot\" (the newest agent "
                                   "snapshot) or \"point-in-time\" (the cluster's latest restorable time)",
                                   s);
        }
        parse_required_string(
            ctx, &g, "instance_class", instance_class_is_valid,
            "a DB instance class: expected one such as \"db.r6g.large\" or \"db.serverless\"",
            "restore_test needs instance_class = \"db.r6g.large\" (the class of the temporary writer)",
            &p->restore_test.instance_class);
        conf_get_uint(ctx, &g, "keep_minutes", 0, 24 * 60, &p->restore_test.keep_minutes);
        if (conf_get_string(ctx, &g, "probe_command", &s, &n) > 0) {
                if (isempty(s) || strlen(s) > 4096)
                        conf_error(ctx, &n, "expected a command line of 1..4096 characters");
                else {
                        conf_strdup(ctx, s, &p->restore_test.probe_command);
                        p->restore_test.probe_command_line = conf_line(&n);
                }
        }
}

static void parse_assume_role(struct conf_ctx *ctx, const struct conf_node *pn, struct policy *p,
                              const struct agent_settings *agent)
{
        struct conf_node g, n;
        const char *s;

        if (conf_get_group(ctx, pn, "assume_role", &g) <= 0)
                return;
        conf_check_members(ctx, &g, assume_role_keys);
        check_role_arn(ctx, &g, "role_arn", policy_region(p, agent), &p->assume_role.role_arn, true,
                       "assume_role");
        if (conf_get_string(ctx, &g, "external_id", &s, &n) > 0) {
                if (!external_id_is_valid(s))
                        conf_error(ctx, &n,
                                   "expected an external id of 2..1224 letters, digits and +=,.@:/_-");
                else {
                        /* A secret: its own copy, which policy_done() wipes, not the arena's. */
                        p->assume_role.external_id = strdup(s);
                        if (!p->assume_role.external_id)
                                ctx->oom = -ENOMEM;
                }
        }
}

static void parse_check(struct conf_ctx *ctx, const struct conf_node *pn, struct policy *p)
{
        struct conf_node g, n;
        char a[32], b[32];

        /* Defaults follow the schedule: one missed slot is a warning, two are critical. */
        int64_t period = schedule_period_sec(&p->every);
        p->check_warning_sec = period + period / 2;
        p->check_critical_sec = 2 * period + period / 2;

        if (conf_get_group(ctx, pn, "check", &g) <= 0)
                return;
        conf_check_members(ctx, &g, check_keys);
        conf_get_duration(ctx, &g, "warning", SEC_PER_HOUR, DURATION_MAX_SEC, &p->check_warning_sec);
        conf_get_duration(ctx, &g, "critical", SEC_PER_HOUR, DURATION_MAX_SEC, &p->check_critical_sec);
        if (p->check_warning_sec >= p->check_critical_sec) {
                if (!conf_member(&g, "critical", &n))
                        conf_member(&g, "warning", &n);
                conf_error(ctx, &n, "warning (%s) must be shorter than critical (%s)",
                           duration_format(p->check_warning_sec, a, sizeof(a)),
                           duration_format(p->check_critical_sec, b, sizeof(b)));
        }
        /* The newest restorable point (any snapshot, or LatestRestorableTime) older than this: a warning.
         * Unset: the freshness warning above. */
        conf_get_duration(ctx, &g, "rpo_warning", 5 * SEC_PER_MINUTE, DURATION_MAX_SEC,
                          &p->check_rpo_warning_sec);
}

int config_policy_parse(struct conf_ctx *ctx, const struct conf_node *pn, const struct agent_settings *agent,
                        struct policy *p)
{
        unsigned errors_before = ctx->n_errors;
        struct conf_node n, rg;
        const char *s;

        p->line = conf_line(pn);
        conf_strdup(ctx, conf_file(ctx, pn), &p->file);
        p->every = (struct schedule){.kind = SCHEDULE_DAILY};
        p->window_from_cluster = true;
        p->quota_limit = 0; /* the account's, from DescribeAccountAttributes */
        p->quota_reserve = CONFIG_DEFAULT_QUOTA_RESERVE;
        p->restore_test.keep_minutes = CONFIG_DEFAULT_RESTORE_TEST_KEEP_MINUTES;
        schedule_parse(CONFIG_DEFAULT_EXPORT_EVERY, &p->export_.every);
        schedule_parse(CONFIG_DEFAULT_RESTORE_TEST_EVERY, &p->restore_test.every);

        conf_check_members(ctx, pn, policy_keys);

        int r = conf_get_string(ctx, pn, "name", &s, &n);
        if (r == 0)
                conf_error_missing(ctx, pn, "name", "every policy needs a name = \"...\"");
        else if (r > 0) {
                if (!policy_name_is_valid(s))
                        conf_error(
                            ctx, &n,
                            "\"%s\" is not a policy name: expected 1..%d letters, digits, '-', '_' or '.'",
                            s, POLICY_NAME_MAX);
                else
                        conf_strdup(ctx, s, &p->name);
        }

        parse_region(ctx, pn, &p->region);
        parse_selector(ctx, pn, p);
        parse_schedule(ctx, pn, p);

        r = conf_get_group(ctx, pn, "retention", &rg);
        if (r > 0) {
                parse_retention(ctx, &rg, &p->retention,
                                ", or snapshots pile up until the quota stops the policy");
        } else if (r == 0)
                conf_error_missing(
                    ctx, pn, "retention",
                    "every policy needs retention = { ... } with at least one of keep_last, daily, "
                    "weekly, monthly, yearly, keep_within or max_age");

        parse_quota(ctx, pn, p);
        if (r > 0 && p->quota_limit > 0 && p->retention.min_keep > p->quota_limit - p->quota_reserve &&
            conf_member(&rg, "min_keep", &n))
                conf_error(ctx, &n,
                           "min_keep (%u) exceeds what the quota leaves (limit %u - reserve %u = %u)",
                           p->retention.min_keep, p->quota_limit, p->quota_reserve,
                           p->quota_limit - p->quota_reserve);

        parse_aws_backup(ctx, pn, p);
        parse_copies(ctx, pn, p, agent);
        parse_share(ctx, pn, p, agent);
        parse_export(ctx, pn, p, agent);
        parse_restore_test(ctx, pn, p);
        parse_assume_role(ctx, pn, p, agent);
        parse_check(ctx, pn, p);

        if (ctx->oom)
                return ctx->oom;
        return ctx->n_errors > errors_before ? -EINVAL : 0;
}

void policy_done(struct policy *p)
{
        if (!p)
                return;
        strv_free(p->clusters);
        strv_free(p->share.accounts);
        free_erase(p->assume_role.external_id);
        *p = (struct policy){};
}
