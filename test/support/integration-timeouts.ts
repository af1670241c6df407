/**
 * The default time limit of an integration test and of its hooks (setupFilesAfterEnv of the
 * integration project in jest.config.js): 60 s instead of jest's 5 s. A hook that stops a system,
 * drops the file's databases or closes a browser waits on real processes, and on the 2-core
 * build machine under load that can take longer than 5 s (CI, 6 December 2026, load average 14:
 * `production-start.int.test.ts`'s `afterAll` dropping its databases exceeded 5 s). A test or
 * hook that names its own limit keeps it.
 */
jest.setTimeout(60000);
