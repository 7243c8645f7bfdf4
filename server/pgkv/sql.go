//go:build !js

package pgkv

import "strings"

// queries are the statements of one namespace, its quoted schema name
// spliced in once at open (identifiers cannot be parameters).
type queries struct {
	schema     string
	ddl        []string
	setVersion string
	getVersion string

	catalog      string
	createTables string

	get     string
	getMany string

	lockAbsent  string // placeholders for the absent keys (with their planned values): returns those it inserted
	lockPresent string // row locks on the present ones, with their values
	upsert      string
	delete      string
}

func newQueries(schema string) queries {
	r := strings.NewReplacer("NS", schema)
	q := func(sql string) string { return r.Replace(sql) }
	return queries{
		schema: schema,
		ddl: []string{
			q(`create schema if not exists NS`),
			q(`create table if not exists NS.meta (name text collate "C" primary key, value text not null)`),
			q(`create table if not exists NS.catalog (
				id int generated always as identity primary key,
				name text collate "C" not null unique)`),
			q(`create table if not exists NS.kv (
				t int not null, k bytea not null, v bytea not null,
				primary key (t, k))`),
		},
		setVersion: q(`insert into NS.meta (name, value) values ('version', $1) on conflict do nothing`),
		getVersion: q(`select value from NS.meta where name = 'version'`),

		catalog:      q(`select id, name from NS.catalog`),
		createTables: q(`insert into NS.catalog (name) select unnest($1::text[]) on conflict (name) do nothing`),

		get:     q(`select v from NS.kv where t = $1 and k = $2`),
		getMany: q(`select k, v from NS.kv where t = $1 and k = any($2::bytea[])`),

		lockAbsent: q(`insert into NS.kv (t, k, v)
			select t, k, v from unnest($1::int[], $2::bytea[], $3::bytea[]) as u (t, k, v) order by t, k
			on conflict do nothing returning t, k`),
		lockPresent: q(`select k, v from NS.kv where t = $1 and k = any($2::bytea[]) order by k for update`),
		upsert: q(`insert into NS.kv (t, k, v) select * from unnest($1::int[], $2::bytea[], $3::bytea[])
			on conflict (t, k) do update set v = excluded.v`),
		delete: q(`delete from NS.kv where t = $1 and k = any($2::bytea[])`),
	}
}

// scanQuery returns the statement of a Scan with the bounds it has; the
// arguments follow in order: table id, start, end, limit.
func (q *queries) scanQuery(start, end, reverse, limit bool) string {
	var b strings.Builder
	b.WriteString("select k, v from ")
	b.WriteString(q.schema)
	b.WriteString(".kv where t = $1")
	n := 1
	arg := func() string { n++; return "$" + string(rune('0'+n)) }
	if start {
		b.WriteString(" and k >= " + arg())
	}
	if end {
		b.WriteString(" and k < " + arg())
	}
	b.WriteString(" order by k")
	if reverse {
		b.WriteString(" desc")
	}
	if limit {
		b.WriteString(" limit " + arg())
	}
	return b.String()
}
