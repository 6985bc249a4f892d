/* Placeholder until the config module lands (issue 2). */
#include "timespec.h"
