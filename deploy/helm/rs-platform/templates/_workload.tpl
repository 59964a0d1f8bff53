{{/*
The resources every app has, from one definition so that probes, security and scaling stay alike.
Args of each: root, app (kebab-case name), and for rs.deployment env (dict of plain variables) and secretEnv
(dict of variable name to a rs.secretRef item).
*/}}

{{- define "rs.deployment" -}}
{{- $root := .root -}}
{{- $values := include "rs.appValues" . | fromYaml -}}
{{- $autoscaling := $values.autoscaling | default dict -}}
{{- $env := .env -}}
{{- range $name, $value := $values.env -}}
{{- if hasKey $.secretEnv $name -}}
{{- fail (printf "%s.env.%s: set through the chart's secret values, not env" (include "rs.valuesKey" $.app) $name) -}}
{{- end -}}
{{- $_ := set $env $name (toString $value) -}}
{{- end -}}
{{- $management := $root.Values.management -}}
{{- if eq (int $management.port) (int $values.port) -}}
{{- fail (printf "management.port (%v) must differ from %s.port" $management.port (include "rs.valuesKey" .app)) -}}
{{- end -}}
{{- $_ := set $env "MANAGEMENT_PORT" (toString $management.port) -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "rs.appFullname" . }}
  labels:
    {{- include "rs.labels" . | nindent 4 }}
spec:
  {{- if not $autoscaling.enabled }}
  replicas: {{ $values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "rs.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "rs.labels" . | nindent 8 }}
      annotations:
        # New pods when a secret value of the chart changes (existing Secrets are the operator's to roll).
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- if $management.scrapeAnnotations }}
        prometheus.io/scrape: 'true'
        prometheus.io/port: {{ $management.port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "rs.serviceAccountName" $root }}
      # The apps never call the Kubernetes API.
      automountServiceAccountToken: false
      # Service links would add variables such as REDIS_PORT=tcp://... to the environment the apps validate.
      enableServiceLinks: false
      {{- with $root.Values.images.pullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: 30
      containers:
        - name: {{ .app }}
          image: {{ include "rs.image" . | quote }}
          imagePullPolicy: {{ $root.Values.images.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $values.port }}
              protocol: TCP
            # /metrics and the detailed readiness: on no Service, for Prometheus and operators in the cluster.
            - name: management
              containerPort: {{ $management.port }}
              protocol: TCP
          env:
            {{- range $name, $value := $env }}
            - name: {{ $name }}
              value: {{ $value | quote }}
            {{- end }}
            {{- range $name, $item := .secretEnv }}
            - name: {{ $name }}
              valueFrom:
                secretKeyRef:
                  {{- include "rs.secretRef" (dict "root" $root "item" $item) | nindent 18 }}
            {{- end }}
          startupProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 2
            failureThreshold: 60
          livenessProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          # Every dependency answers (each check is bounded by the app): only then does the Service route here.
          # On the public port, which the Service sends traffic to; its answer is up or down, the kubelet needs no
          # more (the management port's report names the dependency that is down).
          readinessProbe:
            httpGet: { path: /health/ready, port: http }
            periodSeconds: 10
            timeoutSeconds: 5
            failureThreshold: 3
          lifecycle:
            # Endpoints and the ingress controller drop the pod while it still serves, before SIGTERM.
            preStop:
              exec:
                command: ['node', '-e', 'setTimeout(() => {}, 5000)']
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        # The only writable path: the root file system is read-only.
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
      {{- with $values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if $root.Values.spreadAcrossNodes }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "rs.selectorLabels" . | nindent 14 }}
      {{- end }}
{{- end -}}

{{- define "rs.service" -}}
{{- $values := include "rs.appValues" . | fromYaml -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "rs.appFullname" . }}
  labels:
    {{- include "rs.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "rs.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $values.port }}
      targetPort: http
      protocol: TCP
{{- end -}}

{{- define "rs.hpa" -}}
{{- $values := include "rs.appValues" . | fromYaml -}}
{{- with $values.autoscaling }}
{{- if .enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "rs.appFullname" $ }}
  labels:
    {{- include "rs.labels" $ | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "rs.appFullname" $ }}
  minReplicas: {{ .minReplicas }}
  maxReplicas: {{ .maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .targetCPUUtilizationPercentage }}
  behavior:
    scaleDown:
      # Scale in slowly: a new pod starts with an empty key cache.
      stabilizationWindowSeconds: 300
{{- end }}
{{- end }}
{{- end -}}

{{- define "rs.pdb" -}}
{{- $values := include "rs.appValues" . | fromYaml -}}
{{- if $values.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "rs.appFullname" . }}
  labels:
    {{- include "rs.labels" . | nindent 4 }}
spec:
  # maxUnavailable, not minAvailable: a single replica can still be drained.
  maxUnavailable: {{ $values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "rs.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Every resource of one app, separated as YAML documents. */}}
{{- define "rs.app" -}}
{{ include "rs.deployment" . }}
---
{{ include "rs.service" . }}
{{- with include "rs.hpa" . }}
---
{{ . }}
{{- end }}
{{- with include "rs.pdb" . }}
---
{{ . }}
{{- end }}
{{- end -}}
