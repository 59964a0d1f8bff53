#!/usr/bin/env node
// Validates the Helm chart (deploy/helm/rs-platform) offline, as one step of `npm test`:
//   1. helm lint --strict, with the default values and with each ci/*-values.yaml;
//   2. helm template with each of them, every rendered manifest validated by kubeconform against the API schemas
//      of a pinned Kubernetes version (generated from the k8s.io/kubernetes Go module: see k8s-schemas.mjs);
//   3. the chart against the apps: each Deployment sets only variables its app's env schema reads, every secret
//      the app requires, probes, limits, a locked-down security context and a management port that no Service
//      publishes; the topic job creates the topics of libs/event-contracts;
//   4. values.schema.json refuses values that would break a release.
// helm and kubeconform are built with `go install` into a per-user cache on the first run.
//   node tools/deploy/validate-chart.mjs            (RS_PLATFORM_CACHE: the cache, default ~/.cache/rs-platform)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appEnvSchema } from './app-env.mjs';
import { ensureKubernetesSchemas } from './k8s-schemas.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHART = path.join(ROOT, 'deploy', 'helm', 'rs-platform');
const HELM = { name: 'helm', module: 'helm.sh/helm/v3/cmd/helm', version: 'v3.22.0' };
const KUBECONFORM = { name: 'kubeconform', module: 'github.com/yannh/kubeconform/cmd/kubeconform', version: 'v0.8.0' };
// The Kubernetes release whose API schemas the rendered manifests must satisfy (pinned, so results never drift).
const KUBERNETES_VERSION = '1.34.2';
const CACHE =
  process.env.RS_PLATFORM_CACHE ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'rs-platform');
const GO_BIN = path.join(CACHE, 'go-bin');
const RELEASE = 'rs-platform';
const NAMESPACE = 'rs-platform';
// Read by Node itself, not by the apps' schemas.
const RUNTIME_VARIABLES = new Set(['NODE_OPTIONS']);
const APPS = ['key-manager', 'auxip', 'cadip', 'catalog', 'key-worker'];

const started = Date.now();
const failures = [];
let checks = 0;

function say(message) {
  process.stdout.write(`[validate-chart] ${message}\n`);
}

function check(ok, message) {
  checks++;
  if (!ok) failures.push(message);
}

function capture(command, args, { input } = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Builds a Go tool at its pinned version into GO_BIN unless it is already there. */
function ensureGoTool(tool) {
  const binary = path.join(GO_BIN, tool.name);
  if (fs.existsSync(binary)) {
    // The module version Go recorded in the binary (kubeconform built this way prints no version of its own).
    const result = spawnSync('go', ['version', '-m', binary], { encoding: 'utf8' });
    // Without go nothing could be rebuilt anyway: use what is there.
    if (result.error) return Promise.resolve(binary);
    const built = /^\s*mod\s+\S+\s+(\S+)/m.exec(result.stdout)?.[1];
    if (result.status === 0 && built === tool.version) return Promise.resolve(binary);
  }
  say(
    `installing ${tool.name} ${tool.version} with go install into ${GO_BIN} (first run only, a few minutes on 2 cores)`,
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn('go', ['install', `${tool.module}@${tool.version}`], {
      env: { ...process.env, GOBIN: GO_BIN, GOFLAGS: '-buildvcs=false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => reject(new Error(`go is needed to build ${tool.name}: ${error.message}`)));
    child.on('exit', (code) => {
      if (code === 0) {
        say(`${tool.name} ${tool.version} installed`);
        resolve(binary);
      } else reject(new Error(`go install ${tool.module}@${tool.version} failed:\n${output.slice(-4000)}`));
    });
  });
}

function loadYaml() {
  // js-yaml comes with @nestjs/swagger, a production dependency of every HTTP app.
  const require = createRequire(path.join(ROOT, 'package.json'));
  return require('js-yaml');
}

/** The values files the chart is checked with: the defaults (no file) and ci/*-values.yaml. */
function valueSets() {
  const ciDir = path.join(CHART, 'ci');
  const files = fs.existsSync(ciDir) ? fs.readdirSync(ciDir).filter((file) => file.endsWith('-values.yaml')) : [];
  return [{ label: 'default values', args: [] }].concat(
    files.sort().map((file) => ({ label: `ci/${file}`, args: ['-f', path.join(ciDir, file)] })),
  );
}

function topicConstants() {
  const source = fs.readFileSync(
    path.join(ROOT, 'libs', 'event-contracts', 'src', 'lib', 'topics.constants.ts'),
    'utf8',
  );
  return [...source.matchAll(/export const \w+_TOPIC = '([^']+)'/g)].map((match) => match[1]).sort();
}

/** The chart against the apps, on the manifests rendered from one values set. */
function checkManifests(label, documents, schemas) {
  const deployments = documents.filter((doc) => doc.kind === 'Deployment');
  check(deployments.length > 0, `${label}: no Deployment rendered`);
  for (const deployment of deployments) {
    const app = deployment.metadata.labels['app.kubernetes.io/component'];
    const where = `${label}: Deployment ${deployment.metadata.name}`;
    const schema = schemas.get(app);
    check(Boolean(schema), `${where}: component '${app}' is not an app of apps/`);
    if (!schema) continue;
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    const env = new Map(container.env.map((variable) => [variable.name, variable]));
    for (const name of env.keys())
      check(schema.has(name) || RUNTIME_VARIABLES.has(name), `${where}: sets ${name}, which ${app} does not read`);
    for (const [name, { secret }] of schema)
      if (secret)
        check(env.get(name)?.valueFrom?.secretKeyRef, `${where}: ${name} (a required secret) not from a Secret`);
    check(
      String(container.ports[0].containerPort) === env.get('PORT')?.value,
      `${where}: PORT differs from the containerPort`,
    );
    const management = container.ports.find((port) => port.name === 'management');
    check(
      management && String(management.containerPort) === env.get('MANAGEMENT_PORT')?.value,
      `${where}: no management containerPort equal to MANAGEMENT_PORT`,
    );
    check(container.livenessProbe?.httpGet?.path === '/health', `${where}: liveness probe is not GET /health`);
    check(container.readinessProbe?.httpGet?.path === '/health/ready', `${where}: readiness is not GET /health/ready`);
    check(
      container.resources?.requests?.memory && container.resources?.limits?.memory,
      `${where}: no memory request/limit`,
    );
    const security = { ...pod.securityContext, ...container.securityContext };
    check(security.runAsNonRoot === true, `${where}: runAsNonRoot is not true`);
    check(security.readOnlyRootFilesystem === true, `${where}: root file system is writable`);
    check(security.allowPrivilegeEscalation === false, `${where}: privilege escalation allowed`);
  }
  // /metrics and the detailed readiness stay off every Service (hence every Ingress, which routes to Services).
  const managementPorts = new Set(['management']);
  for (const deployment of deployments)
    for (const port of deployment.spec.template.spec.containers[0].ports)
      if (port.name === 'management') managementPorts.add(String(port.containerPort));
  for (const service of documents.filter((doc) => doc.kind === 'Service'))
    for (const port of service.spec.ports)
      check(
        !managementPorts.has(String(port.targetPort ?? port.port)),
        `${label}: Service ${service.metadata.name} publishes the management port (${port.name})`,
      );
  const job = documents.find((doc) => doc.kind === 'Job');
  if (job) {
    const env = job.spec.template.spec.containers[0].env;
    const topics = JSON.parse(env.find((variable) => variable.name === 'TOPICS').value);
    const names = topics.map((topic) => topic.topic).sort();
    check(
      JSON.stringify(names) === JSON.stringify(topicConstants()),
      `${label}: the topic job creates ${names.join(', ')}, not the topics of libs/event-contracts`,
    );
  }
}

/** Values that must be refused by values.schema.json or the templates, with a word of the expected reason. */
const REFUSED = [
  ['an unknown top-level key', ['--set', 'replicas=3'], "'replicas' not allowed"],
  ['a replica count of 0', ['--set', 'keyManager.replicaCount=0'], '/keyManager/replicaCount'],
  ['a lower-case env name', ['--set', 'auxip.env.port=1'], "propertyName 'port'"],
  ['a short hash secret', ['--set', 'apiKeys.hashSecret=short'], '/apiKeys/hashSecret'],
  [
    'a secret variable in env',
    ['--set', 'keyManager.env.API_KEY_HASH_SECRET=0123456789abcdef0123456789abcdef'],
    "set through the chart's secret values",
  ],
  ['a broker without port', ['--set', 'kafka.brokers[0]=kafka'], '/kafka/brokers/0'],
  ['a management port equal to an app port', ['--set', 'management.port=3001'], 'must differ from auxip.port'],
  ['an unknown SASL mechanism', ['--set', 'kafka.sasl.mechanism=gssapi'], '/kafka/sasl/mechanism'],
  [
    'SASL without a username',
    ['--set', 'kafka.sasl.mechanism=plain', '--set', 'kafka.sasl.password=p'],
    'kafka.sasl.username is required',
  ],
];

async function main() {
  fs.mkdirSync(GO_BIN, { recursive: true });
  const [helm, kubeconform] = await Promise.all([ensureGoTool(HELM), ensureGoTool(KUBECONFORM)]);
  const schemaDir = ensureKubernetesSchemas({
    version: KUBERNETES_VERSION,
    cacheDir: path.join(CACHE, 'k8s-schemas'),
    say,
  });
  const yaml = loadYaml();
  const schemas = new Map(APPS.map((app) => [app, appEnvSchema(ROOT, app)]));
  const template = (args) =>
    capture(helm, [
      'template',
      RELEASE,
      CHART,
      '--namespace',
      NAMESPACE,
      '--kube-version',
      `v${KUBERNETES_VERSION}`,
      ...args,
    ]);

  for (const { label, args } of valueSets()) {
    const lint = capture(helm, ['lint', '--strict', CHART, ...args]);
    check(lint.code === 0, `${label}: helm lint --strict failed:\n${lint.stdout}${lint.stderr}`);
    const rendered = template(args);
    check(rendered.code === 0, `${label}: helm template failed:\n${rendered.stderr}`);
    if (rendered.code !== 0) continue;
    const validated = capture(
      kubeconform,
      [
        '-strict',
        '-summary',
        '-output',
        'text',
        '-kubernetes-version',
        KUBERNETES_VERSION,
        '-schema-location',
        path.join(schemaDir, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
        '-',
      ],
      { input: rendered.stdout },
    );
    check(validated.code === 0, `${label}: kubeconform:\n${validated.stdout}${validated.stderr}`);
    const documents = yaml.loadAll(rendered.stdout).filter(Boolean);
    say(`${label}: ${documents.length} manifests; kubeconform: ${validated.stdout.trim().split('\n').pop()}`);
    checkManifests(label, documents, schemas);
  }

  for (const [what, args, reason] of REFUSED) {
    const result = template(args);
    check(
      result.code !== 0 && result.stderr.includes(reason),
      `values with ${what} (${args.join(' ')}): expected a refusal naming "${reason}", got ${result.code === 0 ? 'success' : result.stderr}`,
    );
  }

  // docker compose runs the same topic script: same topics.
  const compose = yaml.load(fs.readFileSync(path.join(ROOT, 'docker', 'docker-compose.yml'), 'utf8'));
  const composeTopics = JSON.parse(compose.services['kafka-topics'].environment.TOPICS).map((topic) => topic.topic);
  check(
    JSON.stringify(composeTopics.sort()) === JSON.stringify(topicConstants()),
    `docker/docker-compose.yml: kafka-topics creates ${composeTopics.join(', ')}, not the topics of libs/event-contracts`,
  );

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failures.length) {
    for (const failure of failures) say(`FAIL ${failure}`);
    say(`${failures.length} of ${checks} checks failed (${seconds} s)`);
    process.exit(1);
  }
  say(
    `all ${checks} checks ok: helm lint, helm template + kubeconform (Kubernetes ${KUBERNETES_VERSION}), chart vs apps (${seconds} s)`,
  );
}

main().catch((error) => {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
