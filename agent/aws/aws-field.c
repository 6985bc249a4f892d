/* Field tables (aws-field.h). */
#include "aws-field.h"

#include <stdlib.h>

void aws_fields_free(const struct aws_field *fields, size_t n, void *obj)
{
        for (size_t i = 0; i < n; i++)
                if (fields[i].type == AWS_FIELD_TYPE_TEXT) {
                        char **s = aws_field_ptr(&fields[i], obj);
                        free(*s);
                        *s = NULL;
                }
}
