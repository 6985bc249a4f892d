/* The optional Prometheus textfile (agent.prometheus_textfile) for node_exporter's textfile collector,
 * written after each cycle, atomically (a temporary file renamed over the old one). */
#pragma once

#include <stdint.h>

#include "act-outcome.h"
#include "observation.h"

/* Returns 0 or a negative errno (the caller reports it; the cycle's outcome does not depend on it). */
int metrics_write(struct agent *a, const char *path, const struct observation *o, const struct act_counts *c,
                  int64_t now);
