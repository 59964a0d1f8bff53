import { Module } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { MAIL_TRANSPORT } from './mail.constants';
import { MailerService } from './mailer.service';
import { smtpTransportOptions } from './smtp-options.util';

/** E-mail through an SMTP relay (nodemailer); MailerService.enabled is false without SMTP_HOST. */
@Module({
  providers: [
    {
      provide: MAIL_TRANSPORT,
      inject: [KEY_WORKER_CONFIG],
      useFactory: (config: KeyWorkerConfig) => {
        const options = smtpTransportOptions(config);
        return options ? createTransport(options) : null;
      },
    },
    MailerService,
  ],
  exports: [MailerService],
})
export class MailModule {}
