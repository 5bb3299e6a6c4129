// The SSH core's questions, asked with VS Code input boxes. Passphrases are kept in
// SecretStorage only when the user chooses to; never in settings or logs.
import * as vscode from 'vscode';
import type { SecretHooks } from '../core/ssh/auth';
import type { AuthPrompts } from '../core/ssh/types';

const secretKey = (keyFile: string) => `firefighter.passphrase:${keyFile}`;

export class VsCodeAuthPrompts implements AuthPrompts, SecretHooks {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  recallSecret(keyFile: string): Promise<string | undefined> {
    return Promise.resolve(this.secrets.get(secretKey(keyFile)));
  }

  async passphrase(host: string, keyFile: string): Promise<string | undefined> {
    return vscode.window.showInputBox({
      title: `Passphrase for ${keyFile}`,
      prompt: `Connecting to ${host}: the key ${keyFile} is encrypted.`,
      password: true,
      ignoreFocusOut: true,
    });
  }

  /** Called by the pool once a typed passphrase has opened the key (not awaited); asks before storing it. */
  async rememberSecret(keyFile: string, passphrase: string): Promise<void> {
    if ((await this.secrets.get(secretKey(keyFile))) === passphrase) return;
    const choice = await vscode.window.showInformationMessage(
      `Remember the passphrase of ${keyFile} in VS Code's secret storage?`,
      'Remember',
      'Not Now',
    );
    if (choice !== 'Remember') return;
    try {
      await this.secrets.store(secretKey(keyFile), passphrase);
    } catch (error) {
      void vscode.window.showWarningMessage(
        `Could not store the passphrase of ${keyFile} in secret storage: ${(error as Error).message}. It is kept for this session only.`,
      );
    }
  }

  password(host: string, user: string): Promise<string | undefined> {
    return Promise.resolve(vscode.window.showInputBox({ title: `Password for ${user}@${host}`, password: true, ignoreFocusOut: true }));
  }

  async keyboardInteractive(
    host: string,
    instructions: string,
    prompts: { prompt: string; echo: boolean }[],
  ): Promise<string[] | undefined> {
    const answers: string[] = [];
    for (const [index, question] of prompts.entries()) {
      const answer = await vscode.window.showInputBox({
        title: `${host}: ${question.prompt.trim()}${prompts.length > 1 ? ` (${index + 1}/${prompts.length})` : ''}`,
        prompt: instructions || undefined,
        password: !question.echo,
        ignoreFocusOut: true,
      });
      if (answer === undefined) return undefined;
      answers.push(answer);
    }
    return answers;
  }

  async confirmUnknownHostKey(host: string, keyType: string, sha256Fingerprint: string): Promise<boolean> {
    const accept = 'Trust and Connect';
    const choice = await vscode.window.showWarningMessage(
      `The authenticity of host "${host}" can't be established.`,
      {
        modal: true,
        detail: `${keyType} key fingerprint is ${sha256Fingerprint}.\nCompare it with the fingerprint your administrator gave you. Trusting adds it to your known_hosts file.`,
      },
      accept,
    );
    return choice === accept;
  }
}
