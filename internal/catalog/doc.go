// Package catalog holds Socle's catalog domain: organizations, datasets and
// their DCAT-AP-modelled metadata, fields and their types, and the Store
// interface that the storage engines (package sqlite, package postgres)
// implement. It imports no infrastructure.
package catalog
