/* The formatting and naming idioms of common/: vsprintf_reserve(), arena_printf(), string tables. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "arena.h"
#include "macro.h"
#include "string-table.h"
#include "test-suite.h"

TEST_FILE("format");

struct room {
        char space[16];
        size_t asked;
        bool refuse;
};

static void *room_reserve(void *userdata, size_t size)
{
        struct room *r = userdata;
        r->asked = size;
        return r->refuse || size > sizeof(r->space) ? NULL : r->space;
}

static int format_into(struct room *r, char **ret, const char *fmt, ...) _printf_(3, 4);
static int format_into(struct room *r, char **ret, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsprintf_reserve(room_reserve, r, ret, fmt, ap);
        va_end(ap);
        return n;
}

TEST(vsprintf_reserve_asks_for_the_text_and_its_nul_and_prints_there)
{
        struct room r = {};
        char *p = NULL;

        ck_assert_int_eq(format_into(&r, &p, "%s-%d", "ab", 42), 5);
        ck_assert_uint_eq(r.asked, 6);
        ck_assert_ptr_eq(p, r.space);
        ck_assert_str_eq(p, "ab-42");
}

TEST(vsprintf_reserve_fails_with_enomem_when_refused_and_leaves_ret)
{
        struct room r = {.refuse = true};
        char *p = (char *)"untouched";

        ck_assert_int_eq(format_into(&r, &p, "%d", 7), -ENOMEM);
        ck_assert_str_eq(p, "untouched");
}

TEST(arena_printf_formats_into_the_arena)
{
        struct arena *a = arena_new();
        ck_assert_ptr_nonnull(a);
        const char *s = arena_printf(a, "%s=%u", "keep", 3u);
        ck_assert_str_eq(s, "keep=3");
        arena_free(a);
}

enum color { COLOR_RED, COLOR_GREEN, COLOR_BLUE, _COLOR_MAX };

static const char *const color_table[_COLOR_MAX] = {
    [COLOR_RED] = "red", [COLOR_BLUE] = "blue", /* green left out: a hole */
};

const char *color_to_string(enum color i);
int color_from_string(const char *s);
DEFINE_STRING_TABLE_LOOKUP(color, enum color, color_table, "unknown")

TEST(string_table_names_each_value_and_falls_back_out_of_range)
{
        ck_assert_str_eq(color_to_string(COLOR_RED), "red");
        ck_assert_str_eq(color_to_string(COLOR_BLUE), "blue");
        ck_assert_ptr_null(color_to_string(COLOR_GREEN));
        ck_assert_str_eq(color_to_string(_COLOR_MAX), "unknown");
        ck_assert_str_eq(color_to_string((enum color) - 1), "unknown");
}

TEST(string_table_reads_names_back_and_refuses_others)
{
        ck_assert_int_eq(color_from_string("blue"), COLOR_BLUE);
        ck_assert_int_eq(color_from_string("red"), COLOR_RED);
        ck_assert_int_eq(color_from_string("green"), -EINVAL);
        ck_assert_int_eq(color_from_string(""), -EINVAL);
        ck_assert_int_eq(color_from_string(NULL), -EINVAL);
}
