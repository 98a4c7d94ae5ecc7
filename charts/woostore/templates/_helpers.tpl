{{/*
Names and labels. Object names follow docs/architecture.md: everything is named after the
release (= the store name), never truncated: the store name is at most 40 characters, so the
longest derived label value (`<release>-mariadb-<10 hex>`, the StatefulSet's
controller-revision-hash) fits 63. "woostore.validate" enforces the release-name bound.
*/}}

{{- define "woostore.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels (immutable in Deployment/StatefulSet selectors). Args: dict root name */}}
{{- define "woostore.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/*
Labels that never change with the chart version: used on pod templates (so a chart-only
version bump does not restart pods) and on the StatefulSet's volumeClaimTemplates (which are
immutable). Args: dict root name component
*/}}
{{- define "woostore.stableLabels" -}}
{{ include "woostore.selectorLabels" . }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: woostore
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
woostore.io/store: {{ .root.Values.store.name | quote }}
{{- end -}}

{{/* Labels of every object. Args: dict root name component */}}
{{- define "woostore.labels" -}}
{{ include "woostore.stableLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ include "woostore.chart" .root }}
{{- end -}}

{{/* image reference: repository:tag[@digest]. Arg: an image values object */}}
{{- define "woostore.image" -}}
{{- if .digest -}}
{{- printf "%s:%s@%s" .repository .tag .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository .tag -}}
{{- end -}}
{{- end -}}

{{/* The public URL of the store, used for WP_HOME/WP_SITEURL. */}}
{{- define "woostore.url" -}}
{{- printf "%s://%s" .Values.store.scheme .Values.store.host -}}
{{- end -}}

{{/* An env entry read from the credentials Secret. Args: dict root name key */}}
{{- define "woostore.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.existingSecret | quote }}
      key: {{ .key }}
{{- end -}}

{{/* Container securityContext shared by every container (Pod Security "restricted"). */}}
{{- define "woostore.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Cross-field checks the JSON schema cannot express with a clear message. */}}
{{- define "woostore.validate" -}}
{{- if gt (len .Release.Name) 44 -}}
{{- fail (printf "release name %q is longer than 44 characters: derived names (%s-mariadb-<revision hash>) would exceed 63" .Release.Name .Release.Name) -}}
{{- end -}}
{{- range $component := list "wordpress" "mariadb" -}}
{{- $image := get (get $.Values $component) "image" -}}
{{- if and (eq $image.tag "latest") (not $image.digest) -}}
{{- fail (printf "%s.image.tag must be a pinned version, not \"latest\" (a pod restart could silently change the store's software); or pin a digest" $component) -}}
{{- end -}}
{{- if and $image.digest (contains "@" $image.tag) -}}
{{- fail (printf "%s.image: give the digest either in tag (tag@sha256:...) or in digest, not both" $component) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.ingress.enabled .Values.ingress.tls.enabled (ne .Values.store.scheme "https") -}}
{{- fail "store.scheme must be \"https\" when ingress.tls.enabled is true (WP_HOME/WP_SITEURL would otherwise point at http:// behind a TLS-only route)" -}}
{{- end -}}
{{- end -}}
