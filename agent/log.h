/* Lines that are not events (internal errors, start-up failures): one line each on stderr, with the
 * "<N>" priority prefix journald reads when stderr is the journal stream, so `journalctl -p err` sees
 * them. Operator events with a MESSAGE_ID go through journal.h instead. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <syslog.h>

#include "macro.h"

/* stderr is still the stream systemd connected to the journal ($JOURNAL_STREAM names its dev:ino). */
bool log_stderr_is_journal(void);
/* The prefix for `priority` on stderr: "<3>" when stderr is the journal stream, "" otherwise. `buf` must
 * hold 8 bytes. */
const char *log_priority_prefix(int priority, char buf[static 8]);
/* Where lines go (default stderr; NULL restores it). Tests pass a memstream. */
void log_set_stream(FILE *f);

/* "<N>aurora-backup-agent: message" (the prefix only on the journal stream), one line. */
void log_full(int priority, const char *fmt, ...) _printf_(2, 3);
/* Logs, then returns `error` (a negative errno), as systemd's log_error_errno. */
int log_full_errno(int priority, int error, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(LOG_ERR, error, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, error, __VA_ARGS__)
