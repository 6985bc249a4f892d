/* config_warnings(): a valid config whose probe_command sits in a file that group or others may write
 * is warned about, naming the file, probe_command's line, the setting and the mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent-config.h"
#include "config-test-util.h"
#include "test-suite.h"

TEST_FILE("config-warn");

#define PROBE_POLICY(name)                                                                                  \
        "{ name = \"" name "\"; clusters = [ \"" name "-*\" ]; retention = { daily = 7; };\n"               \
        "  restore_test = { every = \"monthly:15\"; instance_class = \"db.r6g.large\";\n"                   \
        "    probe_command = \"/usr/local/bin/probe\"; }; }"
#define PLAIN_POLICY(name)                                                                                  \
        "{ name = \"" name "\"; clusters = [ \"" name "-*\" ]; retention = { daily = 7; }; }"

/* The warnings about the config in `main`, once its mode is `mode`. */
static void warnings_of(const char *main, mode_t mode, struct config_diags *w)
{
        ck_assert_int_eq(chmod(main, mode), 0);
        _cleanup_(agent_config_freep) struct agent_config *c = load_ok(main);
        ck_assert_int_eq(config_warnings(c, w), 0);
}

TEST(group_writable_probe_file_is_warned_with_file_line_setting_and_mode)
{
        char *dir = scratch_new();
        _cleanup_free_ char *main =
            scratch_write(dir, "agent.conf", "policies = ( " PROBE_POLICY("p") " );\n");
        struct config_diags w = {};

        warnings_of(main, 0664, &w);
        ck_assert_uint_eq(w.n, 1);
        ck_assert_str_eq(w.items[0].file, main);
        ck_assert_uint_eq(w.items[0].line, 3);
        ck_assert_str_eq(w.items[0].setting, "policies.[0].restore_test.probe_command");
        ck_assert_ptr_nonnull(strstr(w.items[0].message, "writable by its group (mode 0664)"));
        config_diags_clear(&w);
        scratch_remove(dir);
}

TEST(policies_d_file_with_a_probe_is_warned_under_its_own_name)
{
        char *dir = scratch_new();
        _cleanup_free_ char *main =
            scratch_write(dir, "agent.conf", "policies = ( " PLAIN_POLICY("a") " );\n");
        _cleanup_free_ char *pd = scratch_write(
            dir, "policies.d/10-b.conf", "policies = ( " PLAIN_POLICY("c") ", " PROBE_POLICY("b") " );\n");
        struct config_diags w = {};

        ck_assert_int_eq(chmod(pd, 0646), 0);
        warnings_of(main, 0666, &w); /* no probe_command in main: nothing to say about it */
        ck_assert_uint_eq(w.n, 1);
        ck_assert_str_eq(w.items[0].file, pd);
        ck_assert_str_eq(w.items[0].setting, "policies.[1].restore_test.probe_command");
        ck_assert_ptr_nonnull(strstr(w.items[0].message, "writable by others (mode 0646)"));
        config_diags_clear(&w);
        scratch_remove(dir);
}

/* The warnings about a config whose one file holds two policies with a probe_command, at `mode`. */
static void warnings_of_two_probes(mode_t mode, struct config_diags *w)
{
        char *dir = scratch_new();
        _cleanup_free_ char *main = scratch_write(
            dir, "agent.conf", "policies = ( " PROBE_POLICY("p") ", " PROBE_POLICY("q") " );\n");

        warnings_of(main, mode, w);
        scratch_remove(dir);
}

TEST(probe_file_writable_by_its_owner_only_is_not_warned)
{
        struct config_diags w = {};

        warnings_of_two_probes(0644, &w);
        ck_assert_uint_eq(w.n, 0);
}

TEST(two_probes_in_one_writable_file_are_one_warning)
{
        struct config_diags w = {};

        warnings_of_two_probes(0666, &w);
        ck_assert_uint_eq(w.n, 1);
        ck_assert_ptr_nonnull(strstr(w.items[0].message, "writable by group and others (mode 0666)"));
        config_diags_clear(&w);
}
