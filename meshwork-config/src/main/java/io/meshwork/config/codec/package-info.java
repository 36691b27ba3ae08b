/** Reading configuration: multi-document YAML splitting, parsing, and binding into validated resources. */
package io.meshwork.config.codec;
