import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The budgets' record: tokens and requests per client per UTC day (months and usage reports
 * read at most a year of days) and per hour (kept a month, for the rolling window), and
 * lifetime totals per client. Each primary key serves a client's range.
 */
export class CreateClientUsage1796200000000 implements MigrationInterface {
  name = 'CreateClientUsage1796200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE client_usage_hourly (
        client_id varchar(64) NOT NULL,
        hour      timestamptz NOT NULL,
        tokens    bigint NOT NULL DEFAULT 0,
        requests  bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (client_id, hour)
      )`);
    await runner.query(`
      CREATE TABLE client_usage_daily (
        client_id varchar(64) NOT NULL,
        day       date NOT NULL,
        tokens    bigint NOT NULL DEFAULT 0,
        requests  bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (client_id, day)
      )`);
    await runner.query(`
      CREATE TABLE client_usage_totals (
        client_id varchar(64) PRIMARY KEY,
        tokens    bigint NOT NULL DEFAULT 0,
        requests  bigint NOT NULL DEFAULT 0
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE client_usage_totals');
    await runner.query('DROP TABLE client_usage_daily');
    await runner.query('DROP TABLE client_usage_hourly');
  }
}
