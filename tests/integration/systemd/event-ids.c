/* Prints "name message-id" for every journal event kind, from libagent's own table, so that the
 * real-systemd test checks the journal against the ids the agent really sends. */
#include <stdio.h>

#include "journal.h"

int main(void)
{
        for (int k = 0; k < _EVENT_MAX; k++)
                if (printf("%s %s\n", journal_event_name(k), journal_event_message_id(k)) < 0)
                        return 1;
        return fflush(stdout) == 0 ? 0 : 1;
}
