// Smoke check: the mongodb driver against the local Mongo-wire DB (FerretDB): insert/find, unique index, upsert.
// Usage: node tools/stack/checks/mongo.mjs
import { MongoClient } from 'mongodb';

const assert = (c, m) => {
  if (!c) throw new Error(`mongo check failed: ${m}`);
};
const client = new MongoClient(`mongodb://127.0.0.1:${process.env.MONGO_PORT || 27017}/stackcheck`, {
  serverSelectionTimeoutMS: 5000,
});
await client.connect();
const db = client.db('stackcheck');
const col = db.collection(`keys_${Date.now()}`);
try {
  await col.createIndex({ hash: 1 }, { unique: true });
  await col.insertOne({ hash: 'h1', user: 'alice' });
  assert((await col.findOne({ hash: 'h1' }))?.user === 'alice', 'find after insert');
  let dup = null;
  try {
    await col.insertOne({ hash: 'h1', user: 'mallory' });
  } catch (e) {
    dup = e;
  }
  assert(dup?.code === 11000, `duplicate rejected with E11000 (got ${dup?.code})`);
  await col.updateOne(
    { hash: 'b' },
    { $inc: { n: 2 }, $setOnInsert: { user: 'x' }, $max: { last: 5 } },
    { upsert: true },
  );
  await col.updateOne({ hash: 'b' }, { $inc: { n: 3 }, $max: { last: 4 } }, { upsert: true });
  const b = await col.findOne({ hash: 'b' });
  assert(b.n === 5 && b.last === 5 && b.user === 'x', `upsert $inc/$max/$setOnInsert (${JSON.stringify(b)})`);
  assert((await col.countDocuments()) === 2, 'countDocuments');
  const info = await db.admin().command({ buildInfo: 1 });
  console.log(
    `mongo: insert/find, unique index (E11000), upsert ok; server ${info.version} ${info.ferretdbVersion || ''}`,
  );
} finally {
  await col.drop().catch(() => {});
  await client.close();
}
console.log('MONGO OK');
