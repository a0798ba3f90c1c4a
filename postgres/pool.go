package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pool adapts pgxpool to the three operations the engine needs, so that the
// rest of the package works on plain *pgx.Conn values.
type pool struct {
	p    *pgxpool.Pool
	held map[*pgx.Conn]*pgxpool.Conn
	mu   chan struct{} // guards held; a channel so acquire can honour ctx
}

func newPool(ctx context.Context, cfg *pgx.ConnConfig, size int) (*pool, error) {
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	pc.ConnConfig = cfg
	pc.MaxConns = int32(size)
	p, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return &pool{p: p, held: map[*pgx.Conn]*pgxpool.Conn{}, mu: make(chan struct{}, 1)}, nil
}

// acquire returns a connection; the caller must release it.
func (p *pool) acquire(ctx context.Context) (*pgx.Conn, error) {
	c, err := p.p.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("acquire connection: %w", err)
	}
	p.mu <- struct{}{}
	p.held[c.Conn()] = c
	<-p.mu
	return c.Conn(), nil
}

// release returns c to the pool; pgxpool closes it if it is broken or
// left inside a transaction.
func (p *pool) release(c *pgx.Conn) {
	p.mu <- struct{}{}
	pc := p.held[c]
	delete(p.held, c)
	<-p.mu
	if pc != nil {
		pc.Release()
	}
}

// with runs fn on a pooled connection.
func (p *pool) with(ctx context.Context, fn func(c *pgx.Conn) error) error {
	return p.p.AcquireFunc(ctx, func(c *pgxpool.Conn) error { return fn(c.Conn()) })
}

// close waits for acquired connections to be released, then closes them all.
func (p *pool) close() { p.p.Close() }
