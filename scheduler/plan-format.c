/* The plan as text: one line per action (in plan order), then one line per verdict (in verdict order).
 * Lines are "word key=value ..."; a value with a space, quote, backslash or '=' is double-quoted with
 * backslash escapes, an absent field is left out. Nothing depends on the locale or the clock. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan-format.h"
#include "time-util.h"

static bool needs_quotes(const char *v)
{
        if (*v == '\0')
                return true;
        for (const char *p = v; *p; p++)
                if (*p == ' ' || *p == '"' || *p == '\\' || *p == '=' || (unsigned char)*p < 0x20)
                        return true;
        return false;
}

/* A plan of 100,000 verdicts is a few MB of text: plain fputs/fputc, no format parsing per field. */
static void put_field(FILE *f, const char *key, const char *v)
{
        if (!v)
                return;
        fputc(' ', f);
        fputs(key, f);
        fputc('=', f);
        if (!needs_quotes(v)) {
                fputs(v, f);
                return;
        }
        fputc('"', f);
        for (const char *p = v; *p; p++) {
                unsigned char c = (unsigned char)*p;
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c == '\n')
                        fputs("\\n", f);
                else if (c < 0x20)
                        fprintf(f, "\\x%02x", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

static void put_digits(char *p, int v, int n)
{
        for (int i = n - 1; i >= 0; i--, v /= 10)
                p[i] = (char)('0' + v % 10);
}

/* time_format_iso8601() without snprintf, for years 0..9999 (others go through it). */
static void put_time(FILE *f, const char *key, int64_t t)
{
        char buf[TIME_ISO8601_MAX];
        int y, mo, d, h, mi, s;
        if (t == PLAN_TIME_UNKNOWN)
                return put_field(f, key, "unknown");
        time_to_civil(t, &y, &mo, &d, &h, &mi, &s, NULL);
        if (y < 0 || y > 9999)
                return put_field(f, key, time_format_iso8601(t, buf));
        memcpy(buf, "0000-00-00T00:00:00Z", 21);
        put_digits(buf, y, 4);
        put_digits(buf + 5, mo, 2);
        put_digits(buf + 8, d, 2);
        put_digits(buf + 11, h, 2);
        put_digits(buf + 14, mi, 2);
        put_digits(buf + 17, s, 2);
        put_field(f, key, buf);
}

static void action_write(const struct plan_action *a, FILE *f)
{
        fputs(action_kind_to_string(a->kind), f);
        put_field(f, "policy", a->policy);
        put_field(f, "region", a->region);
        put_field(f, "cluster", a->cluster);
        put_field(f, "snapshot", a->snapshot);
        put_field(f, "drill", a->target);
        put_field(f, "source-region", a->source_region);
        put_field(f, "source", a->source_snapshot);
        put_field(f, "kms-key", a->kms_key);
        put_field(f, "status", a->status);
        if (a->slot_start != 0)
                put_time(f, "slot", a->slot_start);
        if (a->retry_at != 0)
                put_time(f, "retry-at", a->retry_at);
        if (a->since != 0)
                put_time(f, a->request ? "requested" : "restore-started", a->since);
        if (a->request != 0)
                fprintf(f, " request=%" PRIi64, a->request);
        if (a->accounts) {
                fputs(" accounts=", f);
                for (size_t i = 0; a->accounts[i]; i++)
                        fprintf(f, "%s%s", i > 0 ? "," : "", a->accounts[i]);
        }
        put_field(f, "rule", a->rule);
}

static void verdict_write(const struct snapshot_verdict *v, FILE *f)
{
        fputs(v->deleted ? "delete" : "keep", f);
        put_field(f, "region", v->region);
        put_field(f, "cluster", v->cluster);
        put_field(f, "snapshot", v->snapshot);
        put_time(f, "created", v->create_time);
        put_field(f, "status", v->status);
        put_field(f, "origin", snapshot_origin_to_string(v->origin));
        put_field(f, "group", verdict_group_to_string(v->group));
        put_field(f, "policy", v->policy);
        if (v->deleted) {
                put_field(f, "why", delete_reason_to_string(v->why));
                return;
        }
        fputs(" by=", f);
        bool first = true;
        for (unsigned bit = 1; bit <= _KEEP_REASON_LAST; bit <<= 1)
                if (v->keep & bit) {
                        if (!first)
                                fputc(',', f);
                        fputs(keep_reason_to_string((enum keep_reason)bit), f);
                        first = false;
                }
        if (first)
                fputs("none", f);
}

void plan_next_slot_write(const struct plan_next_slot *n, FILE *f)
{
        fputs("next-slot", f);
        put_field(f, "policy", n->policy);
        put_field(f, "region", n->region);
        put_field(f, "cluster", n->cluster);
        put_time(f, "slot", n->slot_start);
        put_field(f, "window", n->window);
        put_field(f, "window-from", n->window_from_cluster ? "cluster" : "policy");
        put_time(f, "open", n->window_open);
        put_time(f, "close", n->window_close);
        put_field(f, "schedule", n->schedule);
        put_field(f, "then", next_slot_state_to_string(n->state));
        if (n->state == NEXT_SLOT_RETRY)
                put_time(f, "retry", n->retry_at);
}

/* Runs `write` into a memory stream and hands out the text. */
static int to_string(void (*write)(const void *, FILE *), const void *x, char **ret)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        write(x, f);
        int bad = ferror(f);
        if (fclose(f) != 0 || bad) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

static void write_plan(const void *x, FILE *f)
{
        (void)plan_format(x, f);
}

static void write_action(const void *x, FILE *f)
{
        action_write(x, f);
}

static void write_verdict(const void *x, FILE *f)
{
        verdict_write(x, f);
}

static void write_next_slot(const void *x, FILE *f)
{
        plan_next_slot_write(x, f);
}

/* `n` records `size` bytes apart, a line each. */
static void write_lines(FILE *f, const void *items, size_t n, size_t size,
                        void (*write)(const void *, FILE *))
{
        for (size_t i = 0; i < n; i++) {
                write((const char *)items + i * size, f);
                fputc('\n', f);
        }
}

int plan_format(const struct plan *p, FILE *f)
{
        if (!p || !f)
                return -EINVAL;
        write_lines(f, p->actions, p->n_actions, sizeof(*p->actions), write_action);
        write_lines(f, p->verdicts, p->n_verdicts, sizeof(*p->verdicts), write_verdict);
        return ferror(f) ? -EIO : 0;
}

int plan_format_next_slots(const struct plan *p, FILE *f)
{
        if (!p || !f)
                return -EINVAL;
        write_lines(f, p->next_slots, p->n_next_slots, sizeof(*p->next_slots), write_next_slot);
        return ferror(f) ? -EIO : 0;
}

int plan_format_string(const struct plan *p, char **ret)
{
        if (!p || !ret)
                return -EINVAL;
        return to_string(write_plan, p, ret);
}

int plan_action_format(const struct plan_action *a, char **ret)
{
        if (!a || !ret)
                return -EINVAL;
        return to_string(write_action, a, ret);
}

int plan_verdict_format(const struct snapshot_verdict *v, char **ret)
{
        if (!v || !ret)
                return -EINVAL;
        return to_string(write_verdict, v, ret);
}
