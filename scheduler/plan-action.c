/* Names of action kinds and next-slot states, as the plan text, the journal and ctl write them. */
#include "plan-action.h"
#include "string-table.h"

static const char *const action_kind_table[_ACTION_KIND_MAX] = {
    [ACTION_DELETE_RDS] = "delete-rds",
    [ACTION_DELETE_BACKUP] = "delete-backup",
    [ACTION_CREATE] = "create",
    [ACTION_COPY] = "copy",
    [ACTION_SHARE] = "share",
    [ACTION_EXPORT] = "export",
    [ACTION_POLL] = "poll",
    [ACTION_WAIT] = "wait",
    [ACTION_MISSED] = "missed",
    [ACTION_QUOTA_EXHAUSTED] = "quota-exhausted",
    [ACTION_REFUSED] = "refused",
    [ACTION_DRILL_RESTORE] = "drill-restore",
    [ACTION_DRILL_INSTANCE] = "drill-instance",
    [ACTION_DRILL_PROBE] = "drill-probe",
    [ACTION_DRILL_TEARDOWN] = "drill-teardown",
    [ACTION_DRILL_WAIT] = "drill-wait",
    [ACTION_DRILL_FAILED] = "drill-failed",
    [ACTION_RESTORE_CLUSTER] = "restore",
    [ACTION_RESTORE_INSTANCE] = "restore-instance",
    [ACTION_RESTORE_WAIT] = "restore-wait",
    [ACTION_RESTORE_DONE] = "restore-done",
    [ACTION_RESTORE_FAILED] = "restore-failed",
};

DEFINE_STRING_TABLE_TO_STRING(action_kind, enum action_kind, action_kind_table, "unknown")

static const char *const next_slot_state_table[_NEXT_SLOT_STATE_MAX] = {
    [NEXT_SLOT_SCHEDULED] = "scheduled",
    [NEXT_SLOT_CREATE_NOW] = "create-now",
    [NEXT_SLOT_IN_FLIGHT] = "in-flight",
    [NEXT_SLOT_RETRY] = "retry",
    [NEXT_SLOT_QUOTA_EXHAUSTED] = "quota-exhausted",
};

DEFINE_STRING_TABLE_LOOKUP(next_slot_state, enum next_slot_state, next_slot_state_table, NULL)
