/* Field tables (aws-xml.h's aws_xml_field, AWS Backup's JSON fields) name a struct member by its offset;
 * this one checks the member's C type at compile time, so a row cannot read a number into a string. */
#pragma once

#include <stddef.h>

#define AWS_FIELD_OFFSET(st, member, c_type)                                                                \
        (offsetof(st, member) +                                                                             \
         0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((st *)0)->member), c_type) ? 1 : -1]))
