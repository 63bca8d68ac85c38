package webui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
)

// CSRF: the browser holds a random nonce in a SameSite=Strict, HttpOnly
// cookie; a form carries HMAC-SHA256(secret, nonce), which only this
// server can compute. A state-changing request needs both and they must
// agree (besides http.CrossOriginProtection in ServeHTTP).

// csrfCookie is the nonce's cookie.
const csrfCookie = "reel_csrf"

// csrfField is the form field of the token.
const csrfField = "csrf"

// nonce returns the request's nonce cookie when it is well formed.
func nonce(r *http.Request) (string, bool) {
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) != 32 {
		return "", false
	}
	if _, err := hex.DecodeString(c.Value); err != nil {
		return "", false
	}
	return c.Value, true
}

func (s *Server) tokenFor(n string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("reel-serve-csrf\x00" + n))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfToken returns the form token of the request's nonce, setting a new
// nonce cookie when the request has none.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	n, ok := nonce(r)
	if !ok {
		b := make([]byte, 16)
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		n = hex.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: n, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	}
	return s.tokenFor(n)
}

// csrfOK checks a posted form's token against the nonce cookie.
func (s *Server) csrfOK(r *http.Request) bool {
	n, ok := nonce(r)
	if !ok {
		return false
	}
	got := r.PostForm.Get(csrfField)
	return got != "" && hmac.Equal([]byte(got), []byte(s.tokenFor(n)))
}
