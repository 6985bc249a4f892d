/* Intrusive doubly linked lists with a head and a tail (the items carry `prev` and `next`), as systemd's
 * list.h: the queue of asynchronous calls (aws-call.c) and an XML node's children (aws-xml.c) link and
 * unlink the same way. */
#pragma once

#include <stddef.h>

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
