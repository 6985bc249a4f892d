/* Structured operator events (see journal.h): sd_journal_sendv() when stderr is the journal, else one
 * line on stderr. The MESSAGE_IDs below are a stable interface: never change one, add a new kind. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"
#include "macro.h"
#include "strv.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
/* Caps, so that a caller's runaway list cannot build an unbounded datagram. */
#define JOURNAL_MAX_EXTRA 32
#define JOURNAL_MAX_KEY 64

struct event_info {
        const char *name;
        const char *message_id;
        int priority;
};
/* One line per kind: tests and the man page check read this table line by line. */
// clang-format off

/* Generated with `systemd-id128 new`; explained in systemd/aurora-backup-agent.catalog. */
static const struct event_info events[_EVENT_MAX] = {
    [EVENT_SNAPSHOT_STARTED] = {"snapshot-started", "c05b4915ff8e43ed92e467f7c0c8a888", LOG_INFO},
    [EVENT_SNAPSHOT_CREATED] = {"snapshot-created", "a284b4db24254fd0a8213c00e533003a", LOG_INFO},
    [EVENT_SNAPSHOT_FAILED] = {"snapshot-failed", "cfb58672828246168c18df0769d9bdff", LOG_ERR},
    [EVENT_SNAPSHOT_DELETED] = {"snapshot-deleted", "3211b58fe18d4381a5f4ab09d8126500", LOG_INFO},
    [EVENT_BACKUP_DELETED] = {"backup-deleted", "a779ef70548e4ecf9836855f138f5488", LOG_INFO},
    [EVENT_DELETE_FAILED] = {"delete-failed", "28982eb1590f46728759840db38f7845", LOG_ERR},
    [EVENT_RETENTION_VERDICT] = {"retention-verdict", "ef58716e1a2c4d9dab917e2507f2319c", LOG_INFO},
    [EVENT_WINDOW_MISSED] = {"window-missed", "8ccf96fc2d0840bb9edbd43e8eae7e6f", LOG_WARNING},
    [EVENT_QUOTA_EXHAUSTED] = {"quota-exhausted", "e4e0e5b7f1dd4790940c7da6d4a2072e", LOG_WARNING},
    [EVENT_API_ERROR] = {"api-error", "7bdd5ba66c7c49148ea4e94df3ab2f40", LOG_ERR},
    [EVENT_CONFIG_RELOADED] = {"config-reloaded", "7beb80e05a23437d83ef2ed4ec4e1ef7", LOG_INFO},
    [EVENT_CONFIG_REJECTED] = {"config-rejected", "01d4ec8bd16c40318a8a3034b63cee62", LOG_ERR},
    [EVENT_CYCLE_SUMMARY] = {"cycle-summary", "84ed7c4d2f58407aad3a8b520c1d432d", LOG_INFO},
    [EVENT_BACKUP_DELETE_EXPIRED] = {"backup-delete-expired", "112ca76a04a64a1fa7d943b4aa39fb51", LOG_ERR},
    [EVENT_BACKUP_VAULT_LOCKED] = {"backup-vault-locked", "37e7aef129504f739f611704c55e7f6d", LOG_WARNING},
    [EVENT_COPY_STARTED] = {"copy-started", "bc39a82e43b447dc9094aa154915cf2f", LOG_INFO},
    [EVENT_COPY_COMPLETED] = {"copy-completed", "be787e4204734fc18f67969a4096b72c", LOG_INFO},
    [EVENT_COPY_FAILED] = {"copy-failed", "01293e90078043589f5d5b7006e3ed08", LOG_ERR},
    [EVENT_SHARE_STARTED] = {"share-started", "b27d20a28a8c4b03ae19ebaa2e126c9a", LOG_INFO},
    [EVENT_SHARE_COMPLETED] = {"share-completed", "e792b05c73604bf2945a61cf2543e99e", LOG_INFO},
    [EVENT_SHARE_FAILED] = {"share-failed", "214960cf62fe440fa5f343f8f298dfdb", LOG_ERR},
    [EVENT_EXPORT_STARTED] = {"export-started", "9346796091ac455f9be78cb6a777f057", LOG_INFO},
    [EVENT_EXPORT_COMPLETED] = {"export-completed", "07c2e34ba60d49aebd8b712976242b77", LOG_INFO},
    [EVENT_EXPORT_FAILED] = {"export-failed", "72a0d62dc7114c2d8f4490a79c76ba88", LOG_ERR},
    [EVENT_RESTORE_STARTED] = {"restore-started", "2331f250115a48ab9dfe45bbfeaf874c", LOG_INFO},
    [EVENT_RESTORE_COMPLETED] = {"restore-completed", "0985b0ee15264b5493bcaeb8eb5311a7", LOG_INFO},
    [EVENT_RESTORE_FAILED] = {"restore-failed", "7eb653919383413fb919e934afceb0e0", LOG_ERR},
    [EVENT_SNAPSHOT_DEFERRED] = {"snapshot-deferred", "3fba1d10fcbe4964b791949856e5c47c", LOG_NOTICE},
    [EVENT_ACTION_REFUSED] = {"action-refused", "0fe4cb6e140f45ecbcb92e4f4c3404ff", LOG_WARNING},
    [EVENT_ACTION_UNCONFIRMED] = {"action-unconfirmed", "ceeed8dbb85b44949791459dcd88e654", LOG_WARNING},
    [EVENT_QUOTA_MISMATCH] = {"quota-mismatch", "ee61bf5fea5942dea5a72dd973f142f6", LOG_WARNING},
    [EVENT_CONFIG_WARNING] = {"config-warning", "7f92324f13ec4d4db23cf472e8d0f95f", LOG_WARNING},
    [EVENT_CONTROL_REFUSED] = {"control-refused", "4569119d26e0407e859cdbc3f0fd806e", LOG_WARNING},
    [EVENT_HOLD_CHANGED] = {"hold-changed", "fe7294a25208410caf4bc0756886aca8", LOG_NOTICE},
    [EVENT_EXPORT_CANCELED] = {"export-canceled", "7a1c81c1c5a64421b023c0a22ba17472", LOG_NOTICE},
    [EVENT_RESTORE_REQUESTED] = {"restore-requested", "f27023a4bf00441386ae2b98f88ea2a0", LOG_NOTICE},
    [EVENT_METRICS_FAILED] = {"metrics-failed", "9d3c5be1f0a54e6c8a7e2b4f61d0c5a3", LOG_ERR},
    [EVENT_PROBLEM_RESOLVED] = {"problem-resolved", "4b8e1f7a2c6d4e0f9a3b5c7d1e2f6a80", LOG_NOTICE},
    [EVENT_EXPORT_PROGRESS] = {"export-progress", "4a68aa6517494321b2acd20f5ddfb0f6", LOG_INFO},
    [EVENT_RESTORE_INSTANCE_CREATED] = {"restore-instance-created", "e48a35de85f24b9cabacf4a3683e33e0", LOG_INFO},
    [EVENT_RESTORE_TEARDOWN] = {"restore-teardown", "fb335d0803874689aa52112c6f91425c", LOG_INFO},
    [EVENT_INTENT_SETTLED] = {"intent-settled", "ee2a0faa6fa346aab25c54cd6e9d4b93", LOG_WARNING},
    [EVENT_NOTIFICATION_FAILED] = {"notification-failed", "ae4fae8c93d6480ab6d07a1859308dc3", LOG_ERR},
    [EVENT_NOTIFICATIONS_DROPPED] = {"notifications-dropped", "d7af3d510caa4f10abaa9f86ddc8920b", LOG_WARNING},
};
// clang-format on

static enum journal_sink sink_choice = JOURNAL_SINK_AUTO;
static FILE *sink_stream;
static journal_observer_fn observer;
static void *observer_userdata;

void journal_set_observer(journal_observer_fn fn, void *userdata)
{
        observer = fn;
        observer_userdata = userdata;
}

static const struct event_info *event_info(enum journal_event kind)
{
        if ((unsigned)kind >= _EVENT_MAX)
                return NULL;
        return &events[kind];
}

const char *journal_event_name(enum journal_event kind)
{
        const struct event_info *e = event_info(kind);
        return e ? e->name : NULL;
}

const char *journal_event_message_id(enum journal_event kind)
{
        const struct event_info *e = event_info(kind);
        return e ? e->message_id : NULL;
}

int journal_event_priority(enum journal_event kind)
{
        const struct event_info *e = event_info(kind);
        return e ? e->priority : -EINVAL;
}

void journal_set_sink(enum journal_sink sink)
{
        sink_choice = sink;
}

void journal_set_stream(FILE *f)
{
        sink_stream = f;
}

enum journal_sink journal_sink_resolve(void)
{
        /* sd_journal_sendv() drops events silently when the socket is missing: check for it first. */
        switch (sink_choice) {
        case JOURNAL_SINK_STDERR:
                return JOURNAL_SINK_STDERR;
        case JOURNAL_SINK_JOURNAL:
                return access(JOURNAL_SOCKET, F_OK) == 0 ? JOURNAL_SINK_JOURNAL : JOURNAL_SINK_STDERR;
        default:
                if (log_stderr_is_journal() && access(JOURNAL_SOCKET, F_OK) == 0)
                        return JOURNAL_SINK_JOURNAL;
                return JOURNAL_SINK_STDERR;
        }
}

/* Keys a caller's extras must not shadow: the typed fields and journald's own. */
static const char *const reserved_keys[] = {
    "MESSAGE",        "MESSAGE_ID",     "PRIORITY",        "SYSLOG_IDENTIFIER", "AURORA_EVENT",
    "AURORA_POLICY",  "AURORA_CLUSTER", "AURORA_SNAPSHOT", "AURORA_ACTION",     "AURORA_REASON",
    "AWS_ERROR_CODE", "AWS_REQUEST_ID", "AURORA_REGION",   "AURORA_TARGET",     "AURORA_DURATION_SEC",
};

/* Length of the key of a valid "KEY=value" extra, or 0 if it is not one. */
static size_t extra_key_length(const char *kv)
{
        const char *eq = strchr(kv, '=');
        size_t n;

        if (!eq)
                return 0;
        n = (size_t)(eq - kv);
        if (n == 0 || n > JOURNAL_MAX_KEY || kv[0] == '_' || isdigit((unsigned char)kv[0]))
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!(isupper((unsigned char)kv[i]) || isdigit((unsigned char)kv[i]) || kv[i] == '_'))
                        return 0;
        for (size_t i = 0; i < ELEMENTSOF(reserved_keys); i++)
                if (strlen(reserved_keys[i]) == n && strneq(reserved_keys[i], kv, n))
                        return 0;
        return n;
}

static int send_journal(const struct event_info *info, const struct event_fields *f, const char *message)
{
        _cleanup_strv_free_ char **l = NULL;
        struct iovec iov[16 + JOURNAL_MAX_EXTRA];
        char prio[4], duration[32];
        size_t n = 0, n_extra = 0;
        int r;

        snprintf(prio, sizeof(prio), "%d", info->priority);
        snprintf(duration, sizeof(duration), "%" PRId64, f->duration_sec);
        if ((r = strv_extend_assignment(&l, "MESSAGE", message)) < 0 ||
            (r = strv_extend_assignment(&l, "MESSAGE_ID", info->message_id)) < 0 ||
            (r = strv_extend_assignment(&l, "PRIORITY", prio)) < 0 ||
            (r = strv_extend_assignment(&l, "SYSLOG_IDENTIFIER", program_invocation_short_name)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_EVENT", info->name)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_POLICY", f->policy)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_CLUSTER", f->cluster)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_SNAPSHOT", f->snapshot)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_ACTION", f->action)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_REASON", f->reason)) < 0 ||
            (r = strv_extend_assignment(&l, "AWS_ERROR_CODE", f->error_code)) < 0 ||
            (r = strv_extend_assignment(&l, "AWS_REQUEST_ID", f->request_id)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_REGION", f->region)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_TARGET", f->target)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_DURATION_SEC", f->has_duration ? duration : NULL)) < 0)
                return r;
        for (const char *const *e = f->extra; e && *e && n_extra < JOURNAL_MAX_EXTRA; e++) {
                if (extra_key_length(*e) == 0)
                        continue;
                r = strv_extend(&l, *e);
                if (r < 0)
                        return r;
                n_extra++;
        }

        STRV_FOREACH (s, l) {
                if (n >= ELEMENTSOF(iov))
                        return -E2BIG; /* 15 fields and the capped extras: cannot happen */
                iov[n++] = (struct iovec){.iov_base = *s, .iov_len = strlen(*s)};
        }
        return sd_journal_sendv(iov, (int)n);
}

static const char *level_name(int priority)
{
        if (priority <= LOG_ERR)
                return "error";
        if (priority == LOG_WARNING)
                return "warning";
        if (priority == LOG_NOTICE)
                return "notice";
        return "info";
}

/* Append to a memstream the value as one token: bare if plain, else quoted with \" and \\ escaped.
 * Control characters become spaces so that the event stays one line. */
static void put_value(FILE *out, const char *v)
{
        bool quote = *v == '\0';

        for (const char *p = v; *p && !quote; p++)
                if (isspace((unsigned char)*p) || *p == '"' || *p == '[' || *p == ']' || *p == '=' ||
                    *p == '\\' || iscntrl((unsigned char)*p))
                        quote = true;
        if (!quote) {
                fputs(v, out);
                return;
        }
        fputc('"', out);
        for (const char *p = v; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fputc('\\', out);
                fputc(iscntrl((unsigned char)*p) ? ' ' : *p, out);
        }
        fputc('"', out);
}

static void put_field(FILE *out, bool *first, const char *key, const char *value)
{
        if (!value)
                return;
        fputs(*first ? " [" : " ", out);
        *first = false;
        fprintf(out, "%s=", key);
        put_value(out, value);
}

int journal_format_line(enum journal_event kind, const struct event_fields *f, const char *message,
                        char **ret)
{
        static const struct event_fields none = {};
        const struct event_info *info = event_info(kind);
        _cleanup_fclose_ FILE *out = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, n_extra = 0;
        bool first = true;
        char duration[32];

        if (!info || !message || !ret)
                return -EINVAL;
        if (!f)
                f = &none;
        out = open_memstream(&buf, &size);
        if (!out)
                return -ENOMEM;

        fprintf(out, "%s: ", level_name(info->priority));
        for (const char *p = message; *p; p++)
                fputc(iscntrl((unsigned char)*p) ? ' ' : *p, out);
        put_field(out, &first, "policy", f->policy);
        put_field(out, &first, "cluster", f->cluster);
        put_field(out, &first, "snapshot", f->snapshot);
        put_field(out, &first, "action", f->action);
        put_field(out, &first, "reason", f->reason);
        put_field(out, &first, "region", f->region);
        put_field(out, &first, "target", f->target);
        if (f->has_duration) {
                snprintf(duration, sizeof(duration), "%" PRId64 "s", f->duration_sec);
                put_field(out, &first, "duration", duration);
        }
        for (const char *const *e = f->extra; e && *e && n_extra < JOURNAL_MAX_EXTRA; e++) {
                size_t n = extra_key_length(*e);
                const char *key = *e, *prefix = "AURORA_";
                char lower[JOURNAL_MAX_KEY + 1];
                size_t j = 0;

                if (n == 0)
                        continue;
                n_extra++;
                if (n > strlen(prefix) && strneq(key, prefix, strlen(prefix))) {
                        key += strlen(prefix);
                        n -= strlen(prefix);
                }
                for (size_t i = 0; i < n; i++)
                        lower[j++] = key[i] == '_' ? '-' : (char)tolower((unsigned char)key[i]);
                lower[j] = '\0';
                put_field(out, &first, lower, key + n + 1);
        }
        put_field(out, &first, "code", f->error_code);
        put_field(out, &first, "request-id", f->request_id);
        put_field(out, &first, "event", info->name); /* the kind, as AURORA_EVENT: lets tools match lines */
        fputc(']', out);

        if (fflush(out) != 0 || ferror(out))
                return -ENOMEM;
        fclose(TAKE_PTR(out));
        *ret = TAKE_PTR(buf);
        return 0;
}

int journal_event(enum journal_event kind, const struct event_fields *f, const char *fmt, ...)
{
        static const struct event_fields none = {};
        const struct event_info *info = event_info(kind);
        _cleanup_free_ char *message = NULL, *line = NULL;
        char prefix[8] = "";
        FILE *out;
        va_list ap;
        int r;

        if (!info || !fmt)
                return -EINVAL;
        if (!f)
                f = &none;

        va_start(ap, fmt);
        r = vasprintf_safe(&message, fmt, ap);
        va_end(ap);
        if (r < 0)
                return r;

        if (observer) {
                static bool observing = false; /* an event from inside the observer is not observed */
                if (!observing) {
                        observing = true;
                        observer(kind, info->priority, f, message, observer_userdata);
                        observing = false;
                }
        }

        /* If journald refuses (socket gone, datagram too big), the event still goes out as a line. */
        if (journal_sink_resolve() == JOURNAL_SINK_JOURNAL && send_journal(info, f, message) >= 0)
                return 0;

        r = journal_format_line(kind, f, message, &line);
        if (r < 0)
                return r;
        out = sink_stream ? sink_stream : stderr;
        /* On the journal stream (journald refused the datagram) the line keeps its priority. */
        if (out == stderr)
                log_priority_prefix(info->priority, prefix);
        if (fprintf(out, "%s%s\n", prefix, line) < 0 || fflush(out) != 0)
                return -EIO;
        return 0;
}
