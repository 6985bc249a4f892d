/* String vectors. */
#include "strv.h"
#include "test-suite.h"

TEST_FILE("strv");

TEST(strv_extend_copy_and_compare)
{
        _cleanup_strv_free_ char **a = NULL;
        ck_assert_int_eq(strv_extend(&a, "one"), 0);
        ck_assert_int_eq(strv_extend(&a, "two"), 0);
        ck_assert_uint_eq(strv_length(a), 2);
        ck_assert(strv_contains(a, "two"));
        ck_assert(!strv_contains(a, "three"));
        _cleanup_strv_free_ char **b = strv_copy(a);
        ck_assert(strv_equal(a, b));
        ck_assert_int_eq(strv_extend(&b, "three"), 0);
        ck_assert(!strv_equal(a, b));
        ck_assert_uint_eq(strv_length(NULL), 0);
}

TEST(strv_extend_assignment_appends_key_equals_value_and_skips_null)
{
        _cleanup_strv_free_ char **l = NULL;

        ck_assert_int_eq(strv_extend_assignment(&l, "PATH", "/usr/bin"), 0);
        ck_assert_int_eq(strv_extend_assignment(&l, "HOME", NULL), 0);
        ck_assert_int_eq(strv_extend_assignment(&l, "EMPTY", ""), 0);
        ck_assert_uint_eq(strv_length(l), 2);
        ck_assert_str_eq(l[0], "PATH=/usr/bin");
        ck_assert_str_eq(l[1], "EMPTY=");
        ck_assert_ptr_null(l[2]);
}
