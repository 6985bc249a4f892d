/* Plain log lines with a priority (log.h): the "<N>" prefix of sd-daemon(3) on the journal stream. */
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static FILE *log_stream;

void log_set_stream(FILE *f)
{
        log_stream = f;
}

/* systemd sets $JOURNAL_STREAM to "dev:ino" of the stream it connected to stdout/stderr; stderr is the
 * journal only while it is still that very stream (not redirected by a shell or a test). */
bool log_stderr_is_journal(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;
        char tail;

        if (isempty(e))
                return false;
        if (sscanf(e, "%llu:%llu%c", &dev, &ino, &tail) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

const char *log_priority_prefix(int priority, char buf[static 8])
{
        buf[0] = '\0';
        if (priority >= LOG_EMERG && priority <= LOG_DEBUG && log_stderr_is_journal())
                snprintf(buf, 8, "<%d>", priority);
        return buf;
}

static void log_va(int priority, const char *fmt, va_list ap) _printf_(2, 0);
static void log_va(int priority, const char *fmt, va_list ap)
{
        FILE *out = log_stream ? log_stream : stderr;
        _cleanup_free_ char *msg = NULL;
        char prefix[8];

        if (vasprintf_safe(&msg, fmt, ap) < 0)
                return;
        /* One line: journald would split a message at its newlines, each part at the default priority. */
        for (char *p = msg; *p; p++)
                if (iscntrl((unsigned char)*p))
                        *p = ' ';
        fprintf(out, "%s%s: %s\n", log_priority_prefix(priority, prefix), program_invocation_short_name,
                msg);
        fflush(out);
}

void log_full(int priority, const char *fmt, ...)
{
        va_list ap;
        int saved = errno;

        va_start(ap, fmt);
        log_va(priority, fmt, ap);
        va_end(ap);
        errno = saved;
}

int log_full_errno(int priority, int error, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_va(priority, fmt, ap);
        va_end(ap);
        return error < 0 ? error : -error;
}
