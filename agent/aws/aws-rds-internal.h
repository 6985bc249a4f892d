/* What the three files of the RDS module share (aws-rds.c: the mutating calls; aws-rds-parse.c: the typed
 * structs, read from answers and freed; aws-rds-describe.c: the paged Describe calls and quotas). Private to
 * agent/aws. */
#pragma once

#include <stddef.h>

#include "aws-buf.h"
#include "aws-rds.h"

struct aws_xml_node;

#define RDS_VERSION "2014-10-31"

/* One of the caller's lists (struct rds_*_list), seen without its item type. */
struct rds_list_ref {
        void **items;
        size_t *n, *allocated, *skipped;
};
#define RDS_LIST_REF(l)                                                                                     \
        ((struct rds_list_ref){(void **)&(l)->items, &(l)->n, &(l)->allocated, &(l)->skipped})

/* One of the typed structs behind a void pointer: its size, how it is read from its element, how freed. */
struct rds_item_type {
        size_t size;
        int (*parse)(const struct aws_xml_node *n, void *item);
        void (*done)(void *item);
};

/* What a Describe page lists: the action, where its items are, their type, and what is left of one that
 * could not be read (NULL: nothing, it is skipped and counted). */
struct rds_page_kind {
        const char *action;
        const char *path[4]; /* {action}Result, the list, the item */
        const struct rds_item_type *item;
        int (*salvage)(const struct aws_xml_node *item, void *slot);
};
extern const struct rds_page_kind rds_page_clusters, rds_page_snapshots, rds_page_instances,
    rds_page_exports;

/* One whole page from memory, appended to `l` (left as it was on failure); *ret_marker (if ret_marker) is
 * freed and set to the page's Marker, NULL on the last page. */
int rds_parse_page(const struct rds_page_kind *k, const char *xml, size_t len, struct rds_list_ref l,
                   char **ret_marker, struct aws_error *e);

/* What a mutating call answers: one item under {action}Result (or the Result itself). */
struct rds_result_kind {
        const char *item; /* the Result's child holding the answer; NULL: the Result itself */
        const char *what; /* named in the error when it is missing or incomplete */
        const struct rds_item_type *type;
};
extern const struct rds_result_kind rds_result_snapshot, rds_result_cluster, rds_result_instance,
    rds_result_export_task, rds_result_attributes;

/* The typed answer of `action` in its response document; *ret is untouched on failure. */
int rds_result_from_doc(const struct aws_xml_node *doc, const char *action, const struct rds_result_kind *k,
                        void *ret, struct aws_error *e);

/* -EINVAL ("MissingParameter": "{action} needs {name}") when `value` is NULL or empty. */
int rds_need(struct aws_error *e, const char *action, const char *name, const char *value);
/* The encoded parameters built in `params` (emptied), or -ENOMEM with `e` set. */
int rds_params_take(struct aws_buf *params, char **ret, struct aws_error *e);
/* One Query call (signed with the client's credentials, retried) with the parameters in `params`. */
int rds_call(struct aws_client *c, const char *action, struct aws_buf *params, struct aws_xml_node **ret_doc,
             struct aws_error *e);
