/**
 * Every test asserts something (setupFilesAfterEnv of the unit, integration and fault projects
 * in jest.config.js): a test that runs no `expect` fails with "expected at least one
 * assertion to be called", so a test cannot pass by checking nothing. An assertion made in a
 * `beforeEach` hook or a helper the test calls counts; a thrown error alone does not.
 */
beforeEach(() => {
  expect.hasAssertions();
});
