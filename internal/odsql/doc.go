// Package odsql implements the Opendatasoft Query Language of the Explore
// API v2.1: a parser for the select, where, group_by, order_by, refine and
// exclude parameters, an AST, and a compiler to SQL for the SQLite and
// PostgreSQL storage engines.
//
// Compile targets a records table with one column per field, quoted by
// name, an integer "_id" in insertion order, and geo_point_2d fields split
// into "<name>__lat" and "<name>__lon". Identifiers come only from the
// known field list; every literal travels as a placeholder argument (typed
// with a cast on PostgreSQL).
//
// Errors are errs.Invalid wrapping a *ParseError that names the parameter
// and the byte offset of the fault; their message reads
// "ODSQL query is malformed: <param>: <msg> at position N".
//
// The compiled SQL calls helper functions the engines must provide:
// socle_fold and socle_distance on both (Go: Fold, Distance; PostgreSQL:
// PostgresFunctionsSQL), and on SQLite socle_datepart, socle_datefmt,
// socle_datetrunc (SQLiteFunctions) and the aggregate socle_percentile
// (NewPercentileAgg).
//
// Limits keep every accepted query within both engines' own limits
// (SQLite refuses expressions more than 1,000 levels deep and statements
// with more than 32,766 placeholders), so that none fails as an internal
// error: per parameter, at most 500 AST nodes ("expression too complex
// (more than 500 terms)"; the literal values of IN lists do not count),
// 100 levels of nesting (parentheses, calls, NOT and unary minus each count
// one), 100 select, group_by or order_by items and 1,000 values per IN
// list; per statement, 20,000 placeholders ("query too complex").
//
// Integer arithmetic never overflows. +, - and * of two ints, and unary
// minus of an int, stay ints only when the operands' magnitudes are known
// to keep the result within 2^62: literals, count(), length(), the date
// parts (year…second) and arithmetic over them. Otherwise, notably
// whenever an int field is involved, they are computed as doubles and the
// output column is double: exact up to 2^53, rounded beyond. sum() and
// avg() are always doubles, also over ints (an int sum can exceed 64
// bits). Divisions were already doubles. Double arithmetic itself can
// still overflow beyond 1.8e308 (an error on PostgreSQL, infinity on
// SQLite).
//
// range() is only allowed as a whole group_by item. Numeric ranges group
// by a hidden number (floor(x / width), or the bucket's index between
// explicit bounds) rendered as the "[lo, hi[" label in the outer query, so
// that they sort by number, both by default and when order_by names the
// key or its alias. Calendar ranges group by the period's start, a date or
// datetime that sorts chronologically (on SQLite as zero-padded
// fixed-width text).
//
// Query.Timezone is "" (UTC) or an IANA name that time.LoadLocation knows;
// "Local", the server's zone, is refused ("unknown timezone").
//
// Not supported: fuzzy matching in search() (terms match as accent- and
// case-insensitive substrings), geo_shape predicates (intersects, disjoint,
// within), geo_cluster, envelope, bbox, json_format, vector similarity,
// multivalued fields, and range() with a calendar step other than 1.
package odsql
