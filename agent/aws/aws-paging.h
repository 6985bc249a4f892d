/* The guard of one paged listing (RDS Marker, AWS Backup NextToken): a server that repeats a marker,
 * or a listing that never ends, stops the listing with an error instead of requesting pages forever. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "aws-error.h"
#include "macro.h"

/* RDS answers at most 100 items a page, and RDS_MAX_LIST (1,000,000 items) is 10,000 full pages; the
 * largest fleet planned for (1,000 clusters × (20 manual + 35 automated) snapshots) is ~550 pages. A
 * listing past this is a server handing out short or empty pages, and at 50 ms a page it would already
 * have held one region for over 8 minutes. */
#define AWS_PAGING_MAX_PAGES 10000u

struct aws_paging {
        const char *operation;  /* e.g. "DescribeDBClusters": named in errors */
        const char *token_name; /* "Marker" or "NextToken" */
        unsigned pages;         /* pages received so far */
        uint64_t *seen;         /* open-addressing set of the markers' hashes; 0: free slot */
        size_t n_seen, size;
};
#define AWS_PAGING_INIT(op, token)                                                                          \
        {                                                                                                   \
                .operation = (op), .token_name = (token)                                                    \
        }

/* Call after each page with the marker that page returned (NULL or "": it was the last). Returns 1: ask
 * for the next page with it; 0: the listing is complete; or a negative errno with `e` set (kind PARSE):
 * -ELOOP (code "RepeatedMarker") when an earlier page of this listing returned the same marker,
 * -E2BIG (code "TooManyPages") when this was page AWS_PAGING_MAX_PAGES and the server wants another,
 * -ENOMEM. */
int aws_paging_next(struct aws_paging *p, const char *marker, struct aws_error *e);
void aws_paging_done(struct aws_paging *p);
#define _cleanup_paging_ _cleanup_(aws_paging_done)
