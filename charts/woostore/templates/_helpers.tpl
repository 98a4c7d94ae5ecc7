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

{{/*
PHP evaluated by wp-config-docker.php at run time (WORDPRESS_CONFIG_EXTRA), shared by the
WordPress container and the WP-Cron pod so both run the same configuration. The host is
schema-validated (hostname characters only), so it cannot break out of the PHP string.
*/}}
{{- define "woostore.configExtra" -}}
{{- $wp := .Values.wordpress -}}
{{- $lines := list (printf "define('WP_HOME', '%s');" (include "woostore.url" .)) (printf "define('WP_SITEURL', '%s');" (include "woostore.url" .)) -}}
{{- /* wp-admin would raise PHP to WP_MAX_MEMORY_LIMIT (256M by default) behind the worker sizing's back. */ -}}
{{- $lines = append $lines (printf "define('WP_MEMORY_LIMIT', '%s');" $wp.php.memoryLimit) -}}
{{- $lines = append $lines (printf "define('WP_MAX_MEMORY_LIMIT', '%s');" $wp.php.memoryLimit) -}}
{{- if .Values.cron.enabled -}}
{{- /* WP-Cron runs from the CronJob: a page view would call the store's public URL, which the pod cannot reach. */ -}}
{{- $lines = append $lines "define('DISABLE_WP_CRON', true);" -}}
{{- end -}}
{{- if eq $wp.egress "none" -}}
{{- /* No way out: outgoing HTTP fails at once with "User has blocked requests through HTTP", not after a timeout. */ -}}
{{- $lines = append $lines "define('WP_HTTP_BLOCK_EXTERNAL', true);" -}}
{{- end -}}
{{- if $wp.configExtra -}}
{{- $lines = append $lines ($wp.configExtra | trimSuffix "\n") -}}
{{- end -}}
{{- join "\n" $lines -}}
{{- end -}}

{{/*
Environment of every container that runs WordPress code (the web container and the WP-Cron
pod): database, salts, WORDPRESS_CONFIG_EXTRA and the mail relay. Arg: root context.
*/}}
{{- define "woostore.wordpressEnv" -}}
- name: WORDPRESS_DB_HOST
  value: {{ printf "%s-mariadb" .Release.Name | quote }}
- name: WORDPRESS_DB_NAME
  value: {{ .Values.mariadb.database | quote }}
- name: WORDPRESS_DB_USER
  value: {{ .Values.mariadb.user | quote }}
{{ include "woostore.secretEnv" (dict "root" . "name" "WORDPRESS_DB_PASSWORD" "key" "mariadb-password") }}
{{- range $name, $key := dict "WORDPRESS_AUTH_KEY" "auth-key" "WORDPRESS_SECURE_AUTH_KEY" "secure-auth-key" "WORDPRESS_LOGGED_IN_KEY" "logged-in-key" "WORDPRESS_NONCE_KEY" "nonce-key" "WORDPRESS_AUTH_SALT" "auth-salt" "WORDPRESS_SECURE_AUTH_SALT" "secure-auth-salt" "WORDPRESS_LOGGED_IN_SALT" "logged-in-salt" "WORDPRESS_NONCE_SALT" "nonce-salt" }}
{{ include "woostore.secretEnv" (dict "root" $ "name" $name "key" $key) }}
{{- end }}
- name: WORDPRESS_CONFIG_EXTRA
  value: {{ include "woostore.configExtra" . | toJson }}
{{- with .Values.mail.smtp }}
{{- if .host }}
# Read by the woostore-mail must-use plugin (files/woostore-mail.php).
- name: WOOSTORE_SMTP_HOST
  value: {{ .host | quote }}
- name: WOOSTORE_SMTP_PORT
  value: {{ .port | quote }}
- name: WOOSTORE_SMTP_ENCRYPTION
  value: {{ .encryption | quote }}
- name: WOOSTORE_SMTP_FROM
  value: {{ .from | quote }}
- name: WOOSTORE_SMTP_FROM_NAME
  value: {{ .fromName | quote }}
{{- if .username }}
- name: WOOSTORE_SMTP_USERNAME
  value: {{ .username | quote }}
- name: WOOSTORE_SMTP_CREDENTIAL_FILE
  value: /etc/woostore/smtp/password
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Volume with the SMTP password file, when the relay needs a login. Arg: root context. */}}
{{- define "woostore.smtpVolume" -}}
{{- if and .Values.mail.smtp.host .Values.mail.smtp.username -}}
- name: smtp
  secret:
    secretName: {{ .Values.existingSecret | quote }}
    defaultMode: 0440
    items:
      - key: {{ .Values.mail.smtp.existingSecretKey | default "smtp-password" | quote }}
        path: password
{{- end -}}
{{- end -}}

{{- define "woostore.smtpVolumeMount" -}}
{{- if and .Values.mail.smtp.host .Values.mail.smtp.username -}}
- name: smtp
  mountPath: /etc/woostore/smtp
  readOnly: true
{{- end -}}
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
{{- if and .Values.cron.image.digest (contains "@" .Values.cron.image.tag) -}}
{{- fail "cron.image: give the digest either in tag (tag@sha256:...) or in digest, not both" -}}
{{- end -}}
{{- if and .Values.mail.smtp.host (not .Values.mail.smtp.from) -}}
{{- fail "mail.smtp.from is required with mail.smtp.host: relays accept only known sender addresses" -}}
{{- end -}}
{{- if and .Values.ingress.enabled .Values.ingress.tls.enabled (ne .Values.store.scheme "https") -}}
{{- fail "store.scheme must be \"https\" when ingress.tls.enabled is true (WP_HOME/WP_SITEURL would otherwise point at http:// behind a TLS-only route)" -}}
{{- end -}}
{{- end -}}
