/* Kept only so that aws-rds.c, which another branch is rewriting, need not change now: the client's
 * private header is aws-client-internal.h. Remove once aws-rds.c includes that. */
#pragma once

#include "aws-client-internal.h"
