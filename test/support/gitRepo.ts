// A git repository for tests: initialised with a test identity and no commit signing.
import { execFileSync } from 'node:child_process';

/** Runs `git init` in `dir` and returns a runner for git commands there (trimmed output). */
export function initGitRepo(dir: string): (...args: string[]) => string {
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  git('config', 'commit.gpgsign', 'false');
  return git;
}
