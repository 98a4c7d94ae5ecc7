// Command pulumi-resource-random is the WooStore testbed's STAND-IN for the `random` provider
// plugin. The real provider (github.com/pulumi/pulumi-random/provider/v4) is not served by the Go
// module proxy available here at any version (see testbed/README.md), so this program — written
// for the testbed against the public provider gRPC protocol — serves the resource types of the
// @pulumi/random npm package with the same type tokens, inputs, defaults and outputs, and the same
// lifecycle rule as the real provider: every input change replaces the resource. It is meant for
// the e2e tier only: values are generated with crypto/rand.
//
// Types: RandomPassword, RandomString, RandomBytes, RandomId, RandomInteger, RandomUuid.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

var version = "4.18.4" // set with -ldflags "-X main.version=..."

const (
	tPassword = "random:index/randomPassword:RandomPassword"
	tString   = "random:index/randomString:RandomString"
	tBytes    = "random:index/randomBytes:RandomBytes"
	tID       = "random:index/randomId:RandomId"
	tInteger  = "random:index/randomInteger:RandomInteger"
	tUUID     = "random:index/randomUuid:RandomUuid"
)

var stringInputs = []string{"keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper",
	"number", "numeric", "overrideSpecial", "special", "upper"}

// inputKeys lists each type's inputs; a change to any of them replaces the resource.
var inputKeys = map[string][]string{
	tPassword: stringInputs,
	tString:   stringInputs,
	tBytes:    {"keepers", "length"},
	tID:       {"byteLength", "keepers", "prefix"},
	tInteger:  {"keepers", "max", "min", "seed"},
	tUUID:     {"keepers"},
}

type randomProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
}

func main() {
	err := provider.Main("random", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &randomProvider{}, nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}

var mopts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepOutputValues: false}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, mopts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) { return plugin.MarshalProperties(m, mopts) }

func typeOf(urn string) string { return resource.URN(urn).Type().String() }

func (p *randomProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *randomProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *randomProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *randomProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (p *randomProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func setDefault(m resource.PropertyMap, k string, v resource.PropertyValue) {
	if _, ok := m[resource.PropertyKey(k)]; !ok {
		m[resource.PropertyKey(k)] = v
	}
}

func num(m resource.PropertyMap, k string) (float64, bool) {
	v, ok := m[resource.PropertyKey(k)]
	if !ok {
		return 0, false
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsNumber() {
		return 0, false
	}
	return v.NumberValue(), true
}

func boolean(m resource.PropertyMap, k string) bool {
	v := m[resource.PropertyKey(k)]
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v.IsBool() && v.BoolValue()
}

func str(m resource.PropertyMap, k string) string {
	v := m[resource.PropertyKey(k)]
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

func (p *randomProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	fail := func(prop, reason string) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: prop, Reason: reason})
	}
	t := typeOf(req.GetUrn())
	switch t {
	case tPassword, tString:
		for _, k := range []string{"lower", "upper", "special"} {
			setDefault(news, k, resource.NewBoolProperty(true))
		}
		// "number" is the deprecated alias of "numeric"; both default to true and follow each other.
		if _, ok := news["numeric"]; !ok {
			if v, ok := news["number"]; ok {
				news["numeric"] = v
			} else {
				news["numeric"] = resource.NewBoolProperty(true)
			}
		}
		setDefault(news, "number", news["numeric"])
		for _, k := range []string{"minLower", "minNumeric", "minSpecial", "minUpper"} {
			setDefault(news, k, resource.NewNumberProperty(0))
		}
		if l, ok := num(news, "length"); ok {
			var mins float64
			for _, k := range []string{"minLower", "minNumeric", "minSpecial", "minUpper"} {
				v, _ := num(news, k)
				mins += v
			}
			if l < 1 {
				fail("length", "length must be at least 1")
			} else if l < mins {
				fail("length", fmt.Sprintf("length (%v) is smaller than the sum of the min* values (%v)", l, mins))
			}
		} else if !news["length"].ContainsUnknowns() {
			fail("length", "missing required property 'length'")
		}
	case tBytes:
		if _, ok := news["length"]; !ok {
			fail("length", "missing required property 'length'")
		}
	case tID:
		if _, ok := news["byteLength"]; !ok {
			fail("byteLength", "missing required property 'byteLength'")
		}
	case tInteger:
		for _, k := range []string{"min", "max"} {
			if _, ok := news[resource.PropertyKey(k)]; !ok {
				fail(k, "missing required property '"+k+"'")
			}
		}
	case tUUID:
	default:
		return nil, fmt.Errorf("unknown resource type %q (testbed random stand-in)", t)
	}
	inputs, err := marshal(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

func (p *randomProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var replaces []string
	for _, k := range inputKeys[typeOf(req.GetUrn())] {
		o, hasOld := olds[resource.PropertyKey(k)]
		n, hasNew := news[resource.PropertyKey(k)]
		if !hasOld && !hasNew {
			continue
		}
		if hasOld != hasNew || n.ContainsUnknowns() || !o.DeepEquals(n) {
			// Secretness alone is not a change.
			if hasOld && hasNew && !n.ContainsUnknowns() && unsecret(o).DeepEquals(unsecret(n)) {
				continue
			}
			replaces = append(replaces, k)
		}
	}
	if len(replaces) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Replaces: replaces, Diffs: replaces}, nil
}

func unsecret(v resource.PropertyValue) resource.PropertyValue {
	if v.IsSecret() {
		return unsecret(v.SecretValue().Element)
	}
	if v.IsObject() {
		m := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			m[k] = unsecret(e)
		}
		return resource.NewObjectProperty(m)
	}
	return v
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err)
	}
	return int(v.Int64())
}

func randomString(m resource.PropertyMap) (string, error) {
	const lower, upper, digits = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
	special := "!@#$%&*()-_=+[]{}<>:?"
	if _, ok := m["overrideSpecial"]; ok && str(m, "overrideSpecial") != "" {
		special = str(m, "overrideSpecial")
	}
	length, _ := num(m, "length")
	type class struct {
		chars string
		on    bool
		min   string
	}
	classes := []class{
		{lower, boolean(m, "lower"), "minLower"}, {upper, boolean(m, "upper"), "minUpper"},
		{digits, boolean(m, "numeric"), "minNumeric"}, {special, boolean(m, "special"), "minSpecial"},
	}
	var all strings.Builder
	var out []byte
	for _, c := range classes {
		mn, _ := num(m, c.min)
		for i := 0; i < int(mn); i++ {
			out = append(out, c.chars[randInt(len(c.chars))])
		}
		if c.on {
			all.WriteString(c.chars)
		}
	}
	pool := all.String()
	if pool == "" && len(out) < int(length) {
		return "", fmt.Errorf("no character classes enabled")
	}
	for len(out) < int(length) {
		out = append(out, pool[randInt(len(pool))])
	}
	for i := len(out) - 1; i > 0; i-- { // shuffle so the minimums are not at the front
		j := randInt(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

func uuid() string {
	b := randomBytes(16)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// generate returns the resource id and its full state (inputs plus outputs).
func generate(t string, in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	out := in.Copy()
	unknown := resource.MakeComputed(resource.NewStringProperty(""))
	set := func(k string, v resource.PropertyValue) { out[resource.PropertyKey(k)] = v }
	if preview {
		for _, k := range map[string][]string{tPassword: {"result", "bcryptHash"}, tString: {"result"},
			tBytes: {"base64", "hex"}, tID: {"b64Std", "b64Url", "dec", "hex"}, tInteger: {"result"},
			tUUID: {"result"}}[t] {
			set(k, unknown)
		}
		return "", out, nil
	}
	switch t {
	case tPassword, tString:
		s, err := randomString(in)
		if err != nil {
			return "", nil, err
		}
		if t == tString {
			set("result", resource.NewStringProperty(s))
			return s, out, nil
		}
		h, err := bcrypt.GenerateFromPassword([]byte(s), bcrypt.DefaultCost)
		if err != nil {
			return "", nil, err
		}
		set("result", resource.MakeSecret(resource.NewStringProperty(s)))
		set("bcryptHash", resource.MakeSecret(resource.NewStringProperty(string(h))))
		return "none", out, nil
	case tBytes:
		l, _ := num(in, "length")
		b := randomBytes(int(l))
		set("base64", resource.MakeSecret(resource.NewStringProperty(base64.StdEncoding.EncodeToString(b))))
		set("hex", resource.MakeSecret(resource.NewStringProperty(hex.EncodeToString(b))))
		return "none", out, nil
	case tID:
		l, _ := num(in, "byteLength")
		b := randomBytes(int(l))
		prefix := str(in, "prefix")
		url := base64.RawURLEncoding.EncodeToString(b)
		set("b64Url", resource.NewStringProperty(prefix+url))
		set("b64Std", resource.NewStringProperty(prefix+base64.StdEncoding.EncodeToString(b)))
		set("hex", resource.NewStringProperty(prefix+hex.EncodeToString(b)))
		set("dec", resource.NewStringProperty(prefix+new(big.Int).SetBytes(b).String()))
		return url, out, nil
	case tInteger:
		lo, _ := num(in, "min")
		hi, _ := num(in, "max")
		if hi < lo {
			return "", nil, fmt.Errorf("max (%v) must be >= min (%v)", hi, lo)
		}
		v := int(lo) + randInt(int(hi)-int(lo)+1)
		set("result", resource.NewNumberProperty(float64(v)))
		return strconv.Itoa(v), out, nil
	case tUUID:
		u := uuid()
		set("result", resource.NewStringProperty(u))
		return u, out, nil
	}
	return "", nil, fmt.Errorf("unknown resource type %q (testbed random stand-in)", t)
}

func (p *randomProvider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	in, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	id, state, err := generate(typeOf(req.GetUrn()), in, req.GetPreview())
	if err != nil {
		return nil, err
	}
	props, err := marshal(state)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

// Read returns the state unchanged: random values exist only in the Pulumi state.
func (p *randomProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// Update only happens when no input changed (every input change is a replacement): keep the state.
func (p *randomProvider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	for k, v := range news {
		olds[k] = v
	}
	props, err := marshal(olds)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *randomProvider) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
