//go:build !js

package pgkv

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/idbsync/idbsync/core/kv"
)

// Get returns the value under key, or kv.ErrNotFound.
func (s *Store) Get(ctx context.Context, table string, key []byte) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if err := kv.CheckKey(key); err != nil {
		return nil, err
	}
	id, err := s.tableID(ctx, table)
	if err != nil {
		return nil, err
	}
	var v []byte
	err = s.withConn(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, s.q.get, id, key).Scan(&v)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, kv.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return nonNil(v), nil
}

// GetMany returns the values of keys, nil where absent, read by one
// statement (one snapshot).
func (s *Store) GetMany(ctx context.Context, table string, keys [][]byte) ([][]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	for _, key := range keys {
		if err := kv.CheckKey(key); err != nil {
			return nil, err
		}
	}
	id, err := s.tableID(ctx, table)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	found := make(map[string][]byte, len(keys))
	err = s.withConn(ctx, func(c *pgx.Conn) error {
		clear(found)
		rows, err := c.Query(ctx, s.q.getMany, id, keys)
		if err != nil {
			return err
		}
		var k, v []byte
		_, err = pgx.ForEachRow(rows, []any{&k, &v}, func() error {
			found[string(k)] = nonNil(v)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	handed := make(map[string]bool, len(found))
	for i, key := range keys {
		v, ok := found[string(key)]
		if !ok {
			continue
		}
		if handed[string(key)] {
			v = append([]byte{}, v...) // a repeated key gets its own copy
		}
		handed[string(key)] = true
		out[i] = v
	}
	return out, nil
}

// Scan returns the rows of table within r, read by one statement.
func (s *Store) Scan(ctx context.Context, table string, r kv.Range) ([]kv.Pair, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	id, err := s.tableID(ctx, table)
	if err != nil {
		return nil, err
	}
	// NB: a nil bound is unbounded, an empty one is a bound (nothing is
	// below the empty key), so the statement depends on which are nil.
	args := []any{id}
	if r.Start != nil {
		args = append(args, r.Start)
	}
	if r.End != nil {
		args = append(args, r.End)
	}
	if r.Limit > 0 {
		args = append(args, r.Limit)
	}
	sql := s.q.scanQuery(r.Start != nil, r.End != nil, r.Reverse, r.Limit > 0)
	var out []kv.Pair
	err = s.withConn(ctx, func(c *pgx.Conn) error {
		out = out[:0]
		rows, err := c.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		var k, v []byte
		_, err = pgx.ForEachRow(rows, []any{&k, &v}, func() error {
			out = append(out, kv.Pair{Key: k, Value: nonNil(v)})
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nonNil keeps a stored empty value present: the driver may scan an empty
// bytea as a nil slice.
func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}
