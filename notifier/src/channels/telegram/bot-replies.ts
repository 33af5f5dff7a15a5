import type { Language } from '../channel.js';
import { escapeMarkdownV2, escapeMarkdownV2Url } from './markdown-v2.js';

/** What the bot says back, per language, already in MarkdownV2. */
export interface BotReplies {
  welcome: string;
  linked: string;
  invalidLink: string;
  stopped: string;
  settings: (url: string) => string;
}

function reply(plain: string): string {
  return escapeMarkdownV2(plain);
}

const REPLIES: Record<Language, BotReplies> = {
  it: {
    welcome: reply(
      'Benvenuto. Per ricevere qui le comunicazioni del Comune, usa il pulsante "Collega Telegram" nella tua area personale.',
    ),
    linked: reply('Fatto: da ora riceverai qui le comunicazioni del Comune. Scrivi /stop per smettere.'),
    invalidLink: reply(
      'Questo collegamento non è valido o è già stato usato. Generane uno nuovo dalla tua area personale.',
    ),
    stopped: reply('Non riceverai più messaggi qui. Puoi ricollegare Telegram dalla tua area personale.'),
    settings: (url) =>
      `${reply('Gestisci le tue preferenze di notifica:')} [${reply(url)}](${escapeMarkdownV2Url(url)})`,
  },
  en: {
    welcome: reply(
      'Welcome. To receive the comune\'s messages here, use "Link Telegram" in your personal area.',
    ),
    linked: reply("Done: from now on you will receive the comune's messages here. Send /stop to stop."),
    invalidLink: reply(
      'This link is not valid or has already been used. Create a new one from your personal area.',
    ),
    stopped: reply(
      'You will no longer receive messages here. You can link Telegram again from your personal area.',
    ),
    settings: (url) =>
      `${reply('Manage your notification preferences:')} [${reply(url)}](${escapeMarkdownV2Url(url)})`,
  },
  de: {
    welcome: reply(
      'Willkommen. Um die Mitteilungen der Gemeinde hier zu erhalten, nutzen Sie "Telegram verbinden" in Ihrem persönlichen Bereich.',
    ),
    linked: reply(
      'Erledigt: Sie erhalten die Mitteilungen der Gemeinde ab jetzt hier. Senden Sie /stop zum Beenden.',
    ),
    invalidLink: reply(
      'Dieser Link ist ungültig oder wurde bereits verwendet. Erstellen Sie einen neuen in Ihrem persönlichen Bereich.',
    ),
    stopped: reply(
      'Sie erhalten hier keine Nachrichten mehr. Sie können Telegram in Ihrem persönlichen Bereich erneut verbinden.',
    ),
    settings: (url) =>
      `${reply('Benachrichtigungseinstellungen verwalten:')} [${reply(url)}](${escapeMarkdownV2Url(url)})`,
  },
};

/** Replies in the user's Telegram language when it is one we speak, Italian otherwise. */
export function repliesFor(languageCode: string | undefined): BotReplies {
  const lang = languageCode?.slice(0, 2).toLowerCase();
  return lang === 'en' || lang === 'de' ? REPLIES[lang] : REPLIES.it;
}
