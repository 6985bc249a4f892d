/* The one XML entry point of the AWS layer (aws_xml_parse): documents with a DTD are refused before any
 * entity is declared, and a tree's size is capped whatever the response. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws-xml.h"
#include "macro.h"
#include "test-suite.h"

TEST_FILE("aws-xml");

static const char laughs[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE lolz [\n"
    " <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
    "]>\n"
    "<DescribeDBClustersResponse><DescribeDBClustersResult><DBClusters><DBCluster>"
    "<DBClusterIdentifier>&lol9;</DBClusterIdentifier><Status>available</Status>"
    "</DBCluster></DBClusters></DescribeDBClustersResult></DescribeDBClustersResponse>";

static void assert_dtd_refused(const char *xml)
{
        struct aws_xml_node *doc = NULL;
        struct aws_error e = {};
        ck_assert_int_eq(aws_xml_parse(xml, strlen(xml), &doc, &e), -EBADMSG);
        ck_assert_ptr_null(doc);
        ck_assert_int_eq(e.kind, AWS_ERROR_PARSE);
        ck_assert_ptr_nonnull(strstr(e.message, "DTD"));
        ck_assert_ptr_nonnull(strstr(e.message, "refused"));
}

TEST(billion_laughs_is_refused_as_a_dtd)
{
        assert_dtd_refused(laughs);
}

TEST(external_entity_is_refused_as_a_dtd)
{
        assert_dtd_refused("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                           "<r>&x;</r>");
}

TEST(external_subset_alone_is_refused_as_a_dtd)
{
        assert_dtd_refused("<!DOCTYPE r SYSTEM \"http://127.0.0.1:1/evil.dtd\"><r/>");
}

TEST(dtd_in_utf16_is_refused)
{
        /* An encoding trick does not hide the DTD: the parser, not a byte scan, sees it. */
        const char ascii[] =
            "<?xml version=\"1.0\" encoding=\"UTF-16LE\"?><!DOCTYPE r [<!ENTITY a \"b\">]><r>&a;</r>";
        char utf16[2 * sizeof(ascii)];
        for (size_t i = 0; i < sizeof(ascii) - 1; i++) {
                utf16[2 * i] = ascii[i];
                utf16[2 * i + 1] = 0;
        }
        struct aws_xml_node *doc = NULL;
        struct aws_error e = {};
        ck_assert_int_eq(aws_xml_parse(utf16, 2 * (sizeof(ascii) - 1), &doc, &e), -EBADMSG);
        ck_assert_ptr_null(doc);
        ck_assert_ptr_nonnull(strstr(e.message, "DTD"));
}

TEST(undeclared_entity_is_not_well_formed)
{
        const char *xml = "<r>&x;</r>";
        struct aws_xml_node *doc = NULL;
        struct aws_error e = {};
        ck_assert_int_eq(aws_xml_parse(xml, strlen(xml), &doc, &e), -EBADMSG);
        ck_assert_ptr_nonnull(strstr(e.message, "not well-formed"));
}

TEST(predefined_and_character_references_still_parse)
{
        const char *xml = "<r><v>a&amp;b&lt;&#67;&#x44;</v></r>";
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        _cleanup_free_ char *v = NULL;
        struct aws_error e = {};
        ck_assert_int_eq(aws_xml_parse(xml, strlen(xml), &doc, &e), 0);
        ck_assert_int_eq(aws_xml_child_text(doc, "v", &v), 0);
        ck_assert_str_eq(v, "a&b<CD");
}

/* A body of n copies of `unit` inside <r>…</r>. */
static char *repeat_doc(const char *unit, size_t n, size_t *ret_len)
{
        size_t ul = strlen(unit), len = 3 + n * ul + 4;
        char *b = malloc(len + 1);
        ck_assert_ptr_nonnull(b);
        memcpy(b, "<r>", 3);
        for (size_t i = 0; i < n; i++)
                memcpy(b + 3 + i * ul, unit, ul);
        memcpy(b + 3 + n * ul, "</r>", 5);
        *ret_len = len;
        return b;
}

static int parse_repeated(const char *unit, size_t n, struct aws_error *e)
{
        size_t len;
        _cleanup_free_ char *b = repeat_doc(unit, n, &len);
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        return aws_xml_parse(b, len, &doc, e);
}

TEST(tiny_elements_past_the_node_cap_are_refused)
{
        struct aws_error e = {};
        ck_assert_int_eq(parse_repeated("<a/>", AWS_XML_MAX_NODES - 1, &e), 0);
        ck_assert_int_eq(parse_repeated("<a/>", AWS_XML_MAX_NODES, &e), -EBADMSG);
        ck_assert_ptr_nonnull(strstr(e.message, "XML nodes"));
}

TEST(attributes_count_toward_the_node_cap)
{
        struct aws_error e = {};
        ck_assert_int_eq(parse_repeated("<a x='' y=''/>", AWS_XML_MAX_NODES / 3 + 1, &e), -EBADMSG);
}

TEST(text_and_cdata_count_toward_the_node_cap)
{
        struct aws_error e = {};
        ck_assert_int_eq(parse_repeated("x<![CDATA[y]]>", AWS_XML_MAX_NODES / 2 + 1, &e), -EBADMSG);
        /* Text merged into one node does not count again. */
        ck_assert_int_eq(parse_repeated("&amp;", 2 * AWS_XML_MAX_NODES, &e), 0);
}

TEST(comments_are_dropped_not_counted)
{
        struct aws_error e = {};
        ck_assert_int_eq(parse_repeated("<!---->", 2 * AWS_XML_MAX_NODES, &e), 0);
}
