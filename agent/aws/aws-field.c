/* Field tables (aws-field.h). */
#include "aws-field.h"

#include <stdlib.h>
#include <string.h>

void aws_fields_free(const struct aws_field *fields, size_t n, void *obj)
{
        for (size_t i = 0; i < n; i++)
                if (fields[i].type == AWS_FIELD_TYPE_TEXT) {
                        char **s = aws_field_ptr(&fields[i], obj);
                        free(*s);
                        *s = NULL;
                }
}

static bool field_same(enum aws_field_type type, const void *x, const void *y)
{
        switch (type) {
        case AWS_FIELD_TYPE_TEXT:
                return streq_ptr(*(char *const *)x, *(char *const *)y);
        case AWS_FIELD_TYPE_BOOL:
                return *(const bool *)x == *(const bool *)y;
        case AWS_FIELD_TYPE_UINT:
                return *(const unsigned *)x == *(const unsigned *)y;
        case AWS_FIELD_TYPE_INT64:
        case AWS_FIELD_TYPE_TIME:
                return *(const int64_t *)x == *(const int64_t *)y;
        }
        return false;
}

const struct aws_field *aws_fields_differ(const struct aws_field *fields, size_t n, const void *a,
                                          const void *b)
{
        for (size_t i = 0; i < n; i++)
                if (!field_same(fields[i].type, (const char *)a + fields[i].offset,
                                (const char *)b + fields[i].offset))
                        return &fields[i];
        return NULL;
}
