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
// Not supported: fuzzy matching in search() (terms match as accent- and
// case-insensitive substrings), geo_shape predicates (intersects, disjoint,
// within), geo_cluster, envelope, bbox, json_format, vector similarity,
// multivalued fields, and range() with a calendar step other than 1.
package odsql
