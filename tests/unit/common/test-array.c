/* Growing arrays (common/array.h): the one helper every appending site uses. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "array.h"
#include "macro.h"
#include "test-suite.h"

TEST_FILE("array");

struct item {
        int a;
        const char *b;
};

TEST(add_slot_hands_out_a_zeroed_element_after_the_others_and_counts_nothing)
{
        _cleanup_free_ struct item *items = NULL;
        size_t n = 0;

        for (int i = 0; i < 40; i++) {
                struct item *x = ARRAY_ADD_SLOT(items, n);
                ck_assert_ptr_nonnull(x);
                ck_assert_ptr_eq(x, &items[n]);
                ck_assert_int_eq(x->a, 0);
                ck_assert_ptr_null(x->b);
                *x = (struct item){.a = i, .b = "set"};
                n++;
        }
        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(items[i].a, (int)i);
}

TEST(add_slot_refuses_a_count_that_overflows_and_keeps_the_array)
{
        struct item *items = NULL;
        ck_assert_ptr_null(
            array_add_slot((void **)&items, SIZE_MAX / sizeof(struct item), sizeof(struct item)));
        ck_assert_ptr_null(items);
}

TEST(append_copies_items_to_the_end_and_counts_them)
{
        _cleanup_free_ int *v = NULL;
        size_t n = 0;
        const int first[] = {1, 2, 3}, more[] = {4, 5};

        ck_assert_int_eq(ARRAY_APPEND(v, n, first, 3), 0);
        ck_assert_int_eq(ARRAY_APPEND(v, n, more, 2), 0);
        ck_assert_int_eq(ARRAY_APPEND(v, n, more, 0), 0);
        ck_assert_uint_eq(n, 5);
        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(v[i], (int)i + 1);
        ck_assert_int_eq(ARRAY_APPEND(v, n, more, SIZE_MAX / sizeof(int)), -ENOMEM);
        ck_assert_uint_eq(n, 5);
}

TEST(grow_makes_room_for_element_n_and_zeroes_what_it_adds)
{
        _cleanup_free_ int *v = NULL;
        size_t allocated = 0;

        ck_assert_int_eq(ARRAY_GROW(v, allocated, 0), 0);
        ck_assert_uint_ge(allocated, 1);
        size_t before = allocated;
        for (size_t i = 0; i < before; i++)
                ck_assert_int_eq(v[i], 0);
        ck_assert_int_eq(ARRAY_GROW(v, allocated, before), 0);
        ck_assert_uint_gt(allocated, before);
        for (size_t i = before; i < allocated; i++)
                ck_assert_int_eq(v[i], 0);
}
