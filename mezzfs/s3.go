package mezzfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options configures an S3Store. Every field is optional.
type S3Options struct {
	// Endpoint is the server: "host:port" or a URL ("http://127.0.0.1:7070"
	// selects plain HTTP). Default: $AWS_ENDPOINT_URL_S3, else
	// $AWS_ENDPOINT_URL, else "https://s3.amazonaws.com".
	Endpoint string
	// Region. Default: $AWS_REGION, else $AWS_DEFAULT_REGION, else
	// "us-east-1".
	Region string
	// PathStyle forces path-style requests (http://host/bucket/key), as
	// local servers (versitygw, MinIO) need. Default: path style for any
	// endpoint that is not AWS, virtual-host style for AWS.
	PathStyle bool
	// AccessKey, SecretKey and SessionToken are static credentials. When
	// AccessKey is empty the standard chain is used: $AWS_ACCESS_KEY_ID /
	// $AWS_SECRET_ACCESS_KEY / $AWS_SESSION_TOKEN, then the shared
	// credentials file. Credentials are never logged or put in errors.
	AccessKey, SecretKey, SessionToken string
	// CredentialsFile is the shared credentials file. Default:
	// $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.
	CredentialsFile string
	// Profile in the shared credentials file. Default: $AWS_PROFILE, else
	// "default".
	Profile string
	// ResponseHeaderTimeout bounds the wait for a response's headers.
	// Default 30s.
	ResponseHeaderTimeout time.Duration
	// PartSize is the multipart upload part size for Put. Default 16 MiB.
	PartSize uint64
	// MaxRetries is how many times List and Put try a request (minio-go's
	// own retries). Default 5. Stat and ReadRange try once: the Reader
	// retries them itself, checking every byte count.
	MaxRetries int
	// ListPageSize is how many keys List asks for per request (S3's
	// MaxKeys; List follows the continuation tokens page after page).
	// Default 0: the server's page size, 1000 on AWS.
	ListPageSize int
	// Transport overrides the HTTP transport (tests).
	Transport http.RoundTripper
}

const (
	defaultS3Endpoint      = "https://s3.amazonaws.com"
	defaultS3Region        = "us-east-1"
	defaultS3HeaderTimeout = 30 * time.Second
	defaultS3PartSize      = 16 << 20
	defaultS3MaxRetries    = 5
)

// S3Store is a Store over one S3 bucket, through minio-go.
type S3Store struct {
	bucket string
	// once: a client that does not retry (Stat, ReadRange).
	once *minio.Core
	// retrying: minio-go retries (List, Put).
	retrying *minio.Client
	partSize uint64
	pageSize int
}

var _ Store = (*S3Store)(nil)

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// NewS3Store returns a store on bucket. It does not contact the server;
// a missing bucket or wrong credentials show up on first use.
func NewS3Store(ctx context.Context, bucket string, o S3Options) (*S3Store, error) {
	endpoint := firstNonEmpty(o.Endpoint, os.Getenv("AWS_ENDPOINT_URL_S3"), os.Getenv("AWS_ENDPOINT_URL"), defaultS3Endpoint)
	secure := true
	host := endpoint
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("%w: S3 endpoint %q", ErrInvalidURI, endpoint)
		}
		switch u.Scheme {
		case "http":
			secure = false
		case "https":
		default:
			return nil, fmt.Errorf("%w: S3 endpoint %q: scheme must be http or https", ErrInvalidURI, endpoint)
		}
		host = u.Host
	}
	region := firstNonEmpty(o.Region, os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), defaultS3Region)

	var creds *credentials.Credentials
	if o.AccessKey != "" {
		creds = credentials.NewStaticV4(o.AccessKey, o.SecretKey, o.SessionToken)
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{},
			&credentials.FileAWSCredentials{Filename: o.CredentialsFile, Profile: o.Profile},
		})
	}

	transport := o.Transport
	if transport == nil {
		t, err := minio.DefaultTransport(secure)
		if err != nil {
			return nil, fmt.Errorf("mezzfs: S3 transport: %w", err)
		}
		t.ResponseHeaderTimeout = o.ResponseHeaderTimeout
		if t.ResponseHeaderTimeout <= 0 {
			t.ResponseHeaderTimeout = defaultS3HeaderTimeout
		}
		t.MaxIdleConnsPerHost = 64
		transport = t
	}
	lookup := minio.BucketLookupAuto
	if o.PathStyle {
		lookup = minio.BucketLookupPath
	}
	maxRetries := o.MaxRetries
	if maxRetries <= 0 {
		maxRetries = defaultS3MaxRetries
	}
	mk := func(retries int) (*minio.Client, error) {
		c, err := minio.New(host, &minio.Options{
			Creds:        creds,
			Secure:       secure,
			Transport:    transport,
			Region:       region,
			BucketLookup: lookup,
			MaxRetries:   retries,
		})
		if err != nil {
			return nil, fmt.Errorf("mezzfs: S3 client for %s: %w", host, err)
		}
		return c, nil
	}
	once, err := mk(1)
	if err != nil {
		return nil, err
	}
	retrying, err := mk(maxRetries)
	if err != nil {
		return nil, err
	}
	partSize := o.PartSize
	if partSize == 0 {
		partSize = defaultS3PartSize
	}
	return &S3Store{bucket: bucket, once: &minio.Core{Client: once}, retrying: retrying, partSize: partSize, pageSize: o.ListPageSize}, nil
}

func (s *S3Store) String() string { return "s3://" + s.bucket }

// Bucket returns the bucket name.
func (s *S3Store) Bucket() string { return s.bucket }

func (s *S3Store) name(key string) string { return "s3://" + s.bucket + "/" + key }

// s3Err maps a minio-go error onto the sentinels. Transport errors and
// 5xx stay retryable; other 4xx become Permanent.
func (s *S3Store) s3Err(ctx context.Context, op, key string, err error) error {
	if err == nil {
		return nil
	}
	resp := minio.ToErrorResponse(err)
	var cause error
	switch resp.Code {
	case minio.NoSuchBucket:
		cause = fmt.Errorf("%w: bucket %q does not exist", ErrNotFound, s.bucket)
	case minio.NoSuchKey, "NotFound":
		cause = ErrNotFound
		if op == "stat" {
			// A HEAD error has no body: ask again with a GET to learn
			// whether the key, the bucket or the credentials are at fault.
			if c := s.explain404(ctx, key); c != nil {
				cause = c
			}
		}
	case minio.AccessDenied, "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "AllAccessDisabled",
		"XAdminUserNotFound": // versitygw's answer (a 404) to an unknown access key
		cause = fmt.Errorf("%w (%s)", ErrAccessDenied, resp.Code)
	case minio.PreconditionFailed:
		cause = ErrChanged
	}
	if cause == nil {
		switch {
		case resp.StatusCode == http.StatusNotFound:
			cause = ErrNotFound
		case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized:
			cause = ErrAccessDenied
		case resp.StatusCode == http.StatusPreconditionFailed:
			cause = ErrChanged
		}
	}
	if cause != nil {
		return objectError(op, s.name(key), cause)
	}
	if resp.StatusCode >= 400 && resp.StatusCode < 500 &&
		resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
		return objectError(op, s.name(key), Permanent(err))
	}
	return objectError(op, s.name(key), err)
}

// explain404 reads one byte of key to get an error body with a code
// after a bodiless 404 (HEAD); it returns the refined cause or nil.
func (s *S3Store) explain404(ctx context.Context, key string) error {
	var opts minio.GetObjectOptions
	opts.SetRange(0, 0)
	body, _, _, err := s.once.GetObject(ctx, s.bucket, key, opts)
	if err == nil {
		body.Close()
		return nil
	}
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchBucket:
		return fmt.Errorf("%w: bucket %q does not exist", ErrNotFound, s.bucket)
	case "XAdminUserNotFound", "InvalidAccessKeyId":
		return fmt.Errorf("%w (%s)", ErrAccessDenied, minio.ToErrorResponse(err).Code)
	}
	return nil
}

// Stat implements Store.
func (s *S3Store) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	oi, err := s.once.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, s.s3Err(ctx, "stat", key, err)
	}
	return ObjectInfo{Key: key, Size: oi.Size, ETag: oi.ETag, ModTime: oi.LastModified}, nil
}

// ReadRange implements Store. It asks for bytes=off-(off+n-1) with
// If-Match: etag and checks the response's Content-Range, Content-Length
// and ETag before handing the body back; the body fails with
// io.ErrUnexpectedEOF if the connection ends early.
func (s *S3Store) ReadRange(ctx context.Context, key string, off, n int64, etag string) (io.ReadCloser, error) {
	if n <= 0 {
		return io.NopCloser(strings.NewReader("")), nil
	}
	var opts minio.GetObjectOptions
	if err := opts.SetRange(off, off+n-1); err != nil {
		return nil, objectError("read", s.name(key), Permanent(err))
	}
	if etag != "" {
		if err := opts.SetMatchETag(etag); err != nil {
			return nil, objectError("read", s.name(key), Permanent(err))
		}
	}
	body, oi, hdr, err := s.once.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		return nil, s.s3Err(ctx, "read", key, err)
	}
	if etag != "" && oi.ETag != "" && oi.ETag != etag {
		body.Close()
		return nil, objectError("read", s.name(key), ErrChanged)
	}
	if err := checkContentRange(hdr.Get("Content-Range"), off, n); err != nil {
		body.Close()
		return nil, objectError("read", s.name(key), err)
	}
	if oi.Size != n {
		body.Close()
		return nil, objectError("read", s.name(key), fmt.Errorf("%w: Content-Length %d for %d bytes at %d", ErrShortResponse, oi.Size, n, off))
	}
	return &exactBody{rc: body, left: n}, nil
}

// checkContentRange verifies "bytes a-b/total" names [off, off+n).
func checkContentRange(cr string, off, n int64) error {
	spec, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return fmt.Errorf("%w: Content-Range %q for %d bytes at %d", ErrShortResponse, cr, n, off)
	}
	rng, _, _ := strings.Cut(spec, "/")
	as, bs, _ := strings.Cut(rng, "-")
	a, err1 := strconv.ParseInt(as, 10, 64)
	b, err2 := strconv.ParseInt(bs, 10, 64)
	if err1 != nil || err2 != nil || a != off || b != off+n-1 {
		return fmt.Errorf("%w: Content-Range %q for %d bytes at %d", ErrShortResponse, cr, n, off)
	}
	return nil
}

// exactBody turns an early EOF into io.ErrUnexpectedEOF and refuses to
// read past the expected length.
type exactBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *exactBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if errors.Is(err, io.EOF) {
		if b.left > 0 {
			return n, io.ErrUnexpectedEOF
		}
		return n, io.EOF
	}
	return n, err
}

func (b *exactBody) Close() error { return b.rc.Close() }

// List implements Store. It asks for one page of keys at a time
// (ListObjectsV2, S3Options.ListPageSize keys a page) and follows the
// continuation tokens to the last page.
func (s *S3Store) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	opts := minio.ListObjectsOptions{Prefix: prefix, Recursive: true, MaxKeys: s.pageSize}
	for oi := range s.retrying.ListObjects(ctx, s.bucket, opts) {
		if oi.Err != nil {
			return nil, s.s3Err(ctx, "list", prefix, oi.Err)
		}
		if strings.HasSuffix(oi.Key, "/") {
			continue // directory marker
		}
		out = append(out, ObjectInfo{Key: oi.Key, Size: oi.Size, ETag: oi.ETag, ModTime: oi.LastModified})
	}
	return out, nil
}

// Put implements Store. minio-go sends objects smaller than PartSize in
// one PUT and larger or unknown-size ones as a multipart upload that is
// completed only after the last part; either way S3 shows nothing or the
// whole object.
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	_, err := s.retrying.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{
		PartSize:    s.partSize,
		ContentType: "application/octet-stream",
	})
	if err != nil {
		return s.s3Err(ctx, "put", key, err)
	}
	return nil
}

// Remove deletes the object at key. Removing a key that does not exist
// succeeds, as S3's DELETE does.
func (s *S3Store) Remove(ctx context.Context, key string) error {
	if err := s.retrying.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return s.s3Err(ctx, "remove", key, err)
	}
	return nil
}

// MakeBucket creates the bucket (tests and tools).
func (s *S3Store) MakeBucket(ctx context.Context) error {
	if err := s.retrying.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{}); err != nil {
		return s.s3Err(ctx, "make bucket", "", err)
	}
	return nil
}
