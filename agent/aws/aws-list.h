/* Intrusive doubly linked lists (the items carry `prev` and `next`), as systemd's list.h, for agent/aws:
 * with a head only (aws-multi.c's transfers and sockets), and with a head and a tail (the queue of
 * asynchronous calls in aws-call.c, an XML node's children in aws-xml.c). */
#pragma once

#include <stddef.h>

/* ---- a head and a tail ---- */

/* Links `item` in after `after` (NULL: at the head). */
#define DLIST_INSERT_AFTER(head, tail, after, item)                                                         \
        do {                                                                                                \
                __typeof__(item) _item = (item), _after = (after);                                          \
                _item->prev = _after;                                                                       \
                _item->next = _after ? _after->next : (head);                                               \
                if (_item->next)                                                                            \
                        _item->next->prev = _item;                                                          \
                else                                                                                        \
                        (tail) = _item;                                                                     \
                if (_after)                                                                                 \
                        _after->next = _item;                                                               \
                else                                                                                        \
                        (head) = _item;                                                                     \
        } while (0)

/* Unlinks `item`, leaving its own links NULL. */
#define DLIST_REMOVE(head, tail, item)                                                                      \
        do {                                                                                                \
                __typeof__(item) _item = (item);                                                            \
                if (_item->prev)                                                                            \
                        _item->prev->next = _item->next;                                                    \
                else                                                                                        \
                        (head) = _item->next;                                                               \
                if (_item->next)                                                                            \
                        _item->next->prev = _item->prev;                                                    \
                else                                                                                        \
                        (tail) = _item->prev;                                                               \
                _item->prev = _item->next = NULL;                                                           \
        } while (0)

/* ---- a head only ---- */

/* Unlinks `item`, leaving its own links NULL. */
#define LIST_UNLINK(head, item)                                                                             \
        do {                                                                                                \
                if ((item)->next)                                                                           \
                        (item)->next->prev = (item)->prev;                                                  \
                if ((item)->prev)                                                                           \
                        (item)->prev->next = (item)->next;                                                  \
                else                                                                                        \
                        (head) = (item)->next;                                                              \
                (item)->prev = (item)->next = NULL;                                                         \
        } while (0)

/* Links `item` in at the head. */
#define LIST_PREPEND(head, item)                                                                            \
        do {                                                                                                \
                (item)->prev = NULL;                                                                        \
                (item)->next = (head);                                                                      \
                if (head)                                                                                   \
                        (head)->prev = (item);                                                              \
                (head) = (item);                                                                            \
        } while (0)
