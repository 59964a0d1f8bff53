import { MongoClient } from 'mongodb';
import { stackEndpoints } from './stack-endpoints';

/** Drops a suite's own databases on the stack's Mongo-wire DB (a missing one is no error). */
export async function dropDatabases(...databases: string[]): Promise<void> {
  const client = await MongoClient.connect(stackEndpoints.mongoUrl('admin'));
  try {
    for (const database of databases)
      await client
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
  } finally {
    await client.close();
  }
}
