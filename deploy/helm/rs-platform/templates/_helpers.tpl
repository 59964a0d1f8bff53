{{/* Names, labels and references shared by every template. */}}

{{- define "rs.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rs.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "rs.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "rs.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of an app's resources; args: root, app (kebab-case app name). Room is left for the app suffix. */}}
{{- define "rs.appFullname" -}}
{{- printf "%s-%s" (include "rs.fullname" .root | trunc 50 | trimSuffix "-") .app -}}
{{- end -}}

{{- define "rs.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rs.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .app }}
{{- end -}}

{{- define "rs.labels" -}}
{{ include "rs.selectorLabels" . }}
app.kubernetes.io/part-of: rs-platform
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The values key of an app: keyManager for key-manager, keyWorker for key-worker. */}}
{{- define "rs.valuesKey" -}}
{{- get (dict "key-manager" "keyManager" "key-worker" "keyWorker" "auxip" "auxip" "cadip" "cadip" "catalog" "catalog") . -}}
{{- end -}}

{{/* An app's values block, as YAML (fromYaml it); args: root, app. */}}
{{- define "rs.appValues" -}}
{{- toYaml (get .root.Values (include "rs.valuesKey" .app)) -}}
{{- end -}}

{{/* Image of an app; args: root, app. */}}
{{- define "rs.image" -}}
{{- $values := include "rs.appValues" . | fromYaml -}}
{{- $images := .root.Values.images -}}
{{- $repository := $values.image.repository | default (printf "%s%s" $images.repositoryPrefix .app) -}}
{{- if $images.registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" $images.registry) $repository -}}
{{- end -}}
{{- printf "%s:%s" $repository ($values.image.tag | default $images.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{- define "rs.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "rs.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The chart's own Secret, holding every secret value given in values (not those in existing Secrets). */}}
{{- define "rs.secretName" -}}
{{- include "rs.fullname" . -}}
{{- end -}}

{{/*
Where each secret environment variable comes from: {name, key} of an existing Secret or of the chart's Secret.
Args: root, item (hashSecret | syncClientSecret | mongoKeysUrl | mongoCatalogUrl | redisUrl | kafkaPassword |
kafkaUser.<keyManager|guard|keyWorker> | smtpPassword).
*/}}
{{- define "rs.secretRef" -}}
{{- $v := .root.Values -}}
{{- $own := include "rs.secretName" .root -}}
{{- if eq .item "hashSecret" -}}
name: {{ $v.apiKeys.existingSecret | default $own }}
key: {{ $v.apiKeys.existingSecretKey }}
{{- else if eq .item "syncClientSecret" -}}
name: {{ $v.keycloak.syncClient.existingSecret | default $own }}
key: {{ $v.keycloak.syncClient.existingSecretKey }}
{{- else if eq .item "mongoKeysUrl" -}}
name: {{ $v.mongodb.existingSecret | default $own }}
key: {{ $v.mongodb.keysUrlKey }}
{{- else if eq .item "mongoCatalogUrl" -}}
name: {{ $v.mongodb.existingSecret | default $own }}
key: {{ $v.mongodb.catalogUrlKey }}
{{- else if eq .item "redisUrl" -}}
name: {{ $v.redis.existingSecret | default $own }}
key: {{ $v.redis.existingSecretKey }}
{{- else if eq .item "kafkaPassword" -}}
name: {{ $v.kafka.sasl.existingSecret | default $own }}
key: {{ $v.kafka.sasl.existingSecretKey }}
{{- else if eq .item "smtpPassword" -}}
name: {{ $v.mail.existingSecret | default $own }}
key: {{ $v.mail.existingSecretKey }}
{{- else if hasPrefix "kafkaUser." .item -}}
{{- $user := get $v.kafka.users (trimPrefix "kafkaUser." .item) -}}
name: {{ $user.existingSecret | default $own }}
key: {{ $user.existingSecretKey }}
{{- else -}}
{{- fail (printf "unknown secret item %s" .item) -}}
{{- end -}}
{{- end -}}

{{/* Public URL of an HTTP app; args: root, app. */}}
{{- define "rs.publicUrl" -}}
{{- $values := include "rs.appValues" . | fromYaml -}}
{{- $host := get .root.Values.ingress.hosts (include "rs.valuesKey" .app) -}}
{{- if $values.publicUrl -}}
{{- trimSuffix "/" $values.publicUrl -}}
{{- else if and .root.Values.ingress.enabled $host -}}
{{- printf "%s://%s" (ternary "https" "http" .root.Values.ingress.tls.enabled) $host -}}
{{- else -}}
{{- printf "http://%s:%v" (include "rs.appFullname" .) $values.port -}}
{{- end -}}
{{- end -}}

{{/* The in-cluster URL of the key manager, where the guards check keys. */}}
{{- define "rs.keyManagerUrl" -}}
{{- printf "http://%s:%v" (include "rs.appFullname" (dict "root" . "app" "key-manager")) .Values.keyManager.port -}}
{{- end -}}

{{/* Kafka topics of the platform (libs/event-contracts/src/lib/topics.constants.ts: names are a contract). */}}
{{- define "rs.topics" -}}
{{- $t := .Values.kafka.topics -}}
- topic: rs.apikey.usage.v1
  numPartitions: {{ $t.usagePartitions }}
  configEntries: {{ include "rs.configEntries" $t.usageConfig }}
- topic: rs.apikey.usage.dlq.v1
  numPartitions: 1
  configEntries: {{ include "rs.configEntries" $t.deadLetterConfig }}
- topic: rs.apikey.lifecycle.v1
  numPartitions: 1
  configEntries: {{ include "rs.configEntries" $t.lifecycleConfig }}
{{- end -}}

{{- define "rs.configEntries" -}}
{{- $entries := list -}}
{{- range $name, $value := . -}}
{{- $entries = append $entries (dict "name" $name "value" (toString $value)) -}}
{{- end -}}
{{- toJson $entries -}}
{{- end -}}

{{/* Variables every HTTP app reads (service-kit's httpEnv and KEYCLOAK_ENV), as a YAML dict; args: root, app. */}}
{{- define "rs.httpEnv" -}}
{{- $values := include "rs.appValues" . | fromYaml -}}
{{- $k := .root.Values.keycloak -}}
HOST: 0.0.0.0
PORT: {{ $values.port | toString | quote }}
PUBLIC_URL: {{ include "rs.publicUrl" . | quote }}
KEYCLOAK_URL: {{ $k.url | quote }}
{{- with $k.publicUrl }}
KEYCLOAK_PUBLIC_URL: {{ . | quote }}
{{- end }}
KEYCLOAK_REALM: {{ $k.realm | quote }}
KEYCLOAK_AUDIENCE: {{ $k.audience | quote }}
KEYCLOAK_SWAGGER_CLIENT_ID: {{ $k.swaggerClientId | quote }}
{{ include "rs.kafkaEnv" (dict "root" .root "user" (ternary "keyManager" "guard" (eq .app "key-manager"))) }}
TRUST_PROXY: {{ .root.Values.trustProxy | quote }}
{{- end -}}

{{/* Variables of a guarded service (auth-guard's guardedServiceEnv), as a YAML dict; args: root, app. */}}
{{- define "rs.guardedEnv" -}}
{{ include "rs.httpEnv" . }}
KEY_MANAGER_URL: {{ include "rs.keyManagerUrl" .root | quote }}
{{- end -}}

{{/*
How an app reaches and authenticates to Kafka (service-kit's KAFKA_ENV) as a YAML dict; the password is in
rs.kafkaSecretEnv. Args: root, user (keyManager | guard | keyWorker: a key of kafka.users).
*/}}
{{- define "rs.kafkaEnv" -}}
{{- $k := .root.Values.kafka -}}
KAFKA_BROKERS: {{ join "," $k.brokers | quote }}
KAFKA_SSL: {{ $k.tls | default false | toString | quote }}
{{- if $k.sasl.mechanism }}
KAFKA_SASL_MECHANISM: {{ $k.sasl.mechanism | quote }}
KAFKA_USERNAME: {{ required (printf "kafka.users.%s.username is required with kafka.sasl.mechanism" .user) (get $k.users .user).username | quote }}
{{- end }}
{{- end -}}

{{/*
A guarded service's secretEnv dict (YAML): its Kafka password, and REDIS_URL for per-key request limits
(redis.guardQuotas). Args: root.
*/}}
{{- define "rs.guardSecretEnv" -}}
{{ include "rs.kafkaSecretEnv" (dict "root" .root "user" "guard") }}
{{- if .root.Values.redis.guardQuotas }}
REDIS_URL: redisUrl
{{- end -}}
{{- end -}}

{{/* The app's Kafka password as a secretEnv dict (YAML; empty without SASL). Args: root, user. */}}
{{- define "rs.kafkaSecretEnv" -}}
{{- if .root.Values.kafka.sasl.mechanism -}}
KAFKA_PASSWORD: {{ printf "kafkaUser.%s" .user }}
{{- end -}}
{{- end -}}

{{/*
The apps' ACLs, created by the topic job with kafka.acls.create (the stack's are in tools/stack/lib/kafka-admin.mjs):
[user, resource type, name, operations, pattern]. Consumer groups are prefixes of the apps' group names.
*/}}
{{- define "rs.acls" -}}
{{- $u := .Values.kafka.users -}}
- [{{ $u.keyManager.username | quote }}, TOPIC, rs.apikey.lifecycle.v1, [WRITE, DESCRIBE, READ], LITERAL]
- [{{ $u.keyManager.username | quote }}, GROUP, key-manager., [READ], PREFIXED]
- [{{ $u.guard.username | quote }}, TOPIC, rs.apikey.usage.v1, [WRITE, DESCRIBE], LITERAL]
- [{{ $u.guard.username | quote }}, TOPIC, rs.apikey.lifecycle.v1, [READ, DESCRIBE], LITERAL]
- [{{ $u.guard.username | quote }}, GROUP, auth-guard., [READ], PREFIXED]
- [{{ $u.guard.username | quote }}, CLUSTER, kafka-cluster, [IDEMPOTENT_WRITE], LITERAL]
- [{{ $u.keyWorker.username | quote }}, TOPIC, rs.apikey.usage.v1, [READ, DESCRIBE], LITERAL]
- [{{ $u.keyWorker.username | quote }}, TOPIC, rs.apikey.usage.dlq.v1, [WRITE, DESCRIBE], LITERAL]
- [{{ $u.keyWorker.username | quote }}, TOPIC, rs.apikey.lifecycle.v1, [WRITE, DESCRIBE], LITERAL]
- [{{ $u.keyWorker.username | quote }}, GROUP, key-worker., [READ], PREFIXED]
{{- end -}}
