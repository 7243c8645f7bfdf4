//go:build !js

package server

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/errcode"
)

// Auth checks the bearer tokens of requests: JWTs signed with HS256 by a
// shared secret, or with EdDSA (Ed25519) by a private key whose public half
// the server holds. The subject is the user id (a UUID); the "spaces"
// claim lists the spaces the user may use ("*": all); exp, when present,
// is honoured, as are nbf and iat.
type Auth struct {
	secret []byte            // HS256; nil: not accepted
	public ed25519.PublicKey // EdDSA; nil: not accepted
	now    func() time.Time
}

// Principal is an authenticated user.
type Principal struct {
	User   uuid.UUID
	Spaces []string
}

// May reports whether the principal may use space.
func (p Principal) May(space string) bool {
	return slices.Contains(p.Spaces, "*") || slices.Contains(p.Spaces, space)
}

// NewAuth returns an Auth accepting tokens signed with secret (HS256; nil:
// none) or by the private key of public (EdDSA; nil: none); now is the
// clock (nil: time.Now). At least one key is required.
func NewAuth(secret []byte, public ed25519.PublicKey, now func() time.Time) (*Auth, error) {
	if len(secret) == 0 && len(public) == 0 {
		return nil, errors.New("server: authentication needs a JWT secret or an Ed25519 public key")
	}
	if len(secret) > 0 && len(secret) < 32 {
		return nil, fmt.Errorf("server: a JWT secret of %d bytes is too short (at least 32)", len(secret))
	}
	if now == nil {
		now = time.Now
	}
	return &Auth{secret: secret, public: public, now: now}, nil
}

// ParsePublicKey reads an Ed25519 public key in PEM (PKIX, "PUBLIC KEY").
func ParsePublicKey(pemBytes []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("server: the public key is not PEM")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("server: public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("server: the public key is %T, not Ed25519", k)
	}
	return pub, nil
}

// claims are the fields of a token the server reads.
type claims struct {
	jwt.RegisteredClaims
	Spaces []string `json:"spaces"`
}

// Verify checks a token and returns its principal; any failure is
// errcode.ErrUnauthenticated with the reason.
func (a *Auth) Verify(token string) (Principal, error) {
	if token == "" {
		return Principal{}, fmt.Errorf("%w: no bearer token", errcode.ErrUnauthenticated)
	}
	var methods []string
	if a.secret != nil {
		methods = append(methods, jwt.SigningMethodHS256.Alg())
	}
	if a.public != nil {
		methods = append(methods, jwt.SigningMethodEdDSA.Alg())
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		switch t.Method.Alg() {
		case jwt.SigningMethodHS256.Alg():
			return a.secret, nil
		case jwt.SigningMethodEdDSA.Alg():
			return a.public, nil
		}
		return nil, fmt.Errorf("signing method %s", t.Method.Alg())
	}, jwt.WithValidMethods(methods), jwt.WithTimeFunc(a.now), jwt.WithLeeway(5*time.Second))
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", errcode.ErrUnauthenticated, err)
	}
	user, err := uuid.Parse(c.Subject)
	if err != nil || user == uuid.Nil {
		return Principal{}, fmt.Errorf("%w: the subject %q is not a user id (a UUID)", errcode.ErrUnauthenticated, c.Subject)
	}
	return Principal{User: user, Spaces: c.Spaces}, nil
}

// Token signs a token for user with the HS256 secret, valid for ttl
// (development tokens, tests).
func (a *Auth) Token(user uuid.UUID, spaces []string, ttl time.Duration) (string, error) {
	if a.secret == nil {
		return "", errors.New("server: only an HS256 secret signs tokens here")
	}
	now := a.now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   user.String(),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Spaces: spaces,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(a.secret)
}

// bearer returns the token of an Authorization header.
func bearer(header string) string {
	const prefix = "Bearer "
	if len(header) > len(prefix) && strings.EqualFold(header[:len(prefix)], prefix) {
		return strings.TrimSpace(header[len(prefix):])
	}
	return ""
}
